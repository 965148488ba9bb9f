import {
  type PromiseCursor,
  type PromiseFilter,
  type PromiseRowOut,
  promisesPage,
} from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder, type GatewayContext } from '../builder.ts';
import { checkPageSize } from '../user-errors.ts';
import { connection, keysetCursor, pageOf } from './connections.ts';
import { Relationship } from './relationship.ts';

const PromiseStatus = builder.enumType('PromiseStatus', {
  description:
    'OPEN until its due time, then OVERDUE; settled by the first PromiseKept (on time when at or before dueAt) or PromiseCancelled',
  values: ['OPEN', 'OVERDUE', 'KEPT_ON_TIME', 'KEPT_LATE', 'CANCELLED'] as const,
});

export const CustomerPromise = builder.objectRef<PromiseRowOut>('Promise').implement({
  description: 'A promise made to a customer: keep what you promise (docs/rules.md)',
  fields: (t) => ({
    customerId: t.id({ resolve: (p) => p.customer_id }),
    promiseId: t.id({ resolve: (p) => p.promise_id }),
    accountManagerId: t.id({ resolve: (p) => p.account_manager_id }),
    description: t.exposeString('description', {
      nullable: true,
      description: "What was promised; null once the customer's personal data was erased",
    }),
    madeAt: t.field({ type: 'DateTime', resolve: (p) => p.made_at }),
    dueAt: t.field({ type: 'DateTime', resolve: (p) => p.due_at }),
    keptAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.kept_at }),
    cancelledAt: t.field({ type: 'DateTime', nullable: true, resolve: (p) => p.cancelled_at }),
    status: t.field({ type: PromiseStatus, resolve: (p) => p.status as PromiseStatusValue }),
  }),
});
type PromiseStatusValue = 'OPEN' | 'OVERDUE' | 'KEPT_ON_TIME' | 'KEPT_LATE' | 'CANCELLED';

const PromiseConnection = connection<PromiseRowOut>('Promise', CustomerPromise);

interface PromiseArgs {
  status?: readonly PromiseStatusValue[] | null | undefined;
  dueBefore?: Date | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}

const promiseKeys = (p: PromiseRowOut) => [p.due_at.toISOString(), p.customer_id, p.promise_id];

/** The page asked for: checked size and decoded cursor. */
function promisePageArgs(args: PromiseArgs) {
  return {
    limit: checkPageSize(args.first ?? 50),
    after: args.after ? (keysetCursor(args.after, 3) as PromiseCursor) : null,
  };
}

async function promisePage(ctx: GatewayContext, args: PromiseArgs, scope: Partial<PromiseFilter>) {
  const { limit, after } = promisePageArgs(args);
  const rows = await promisesPage(
    ctx.db,
    { ...scope, statuses: args.status ?? undefined, dueBefore: args.dueBefore ?? undefined, now: ctx.now() },
    { after, limit: limit + 1 },
  );
  return pageOf(rows, limit, after !== null, promiseKeys);
}

builder.queryField('promises', (t) =>
  t.field({
    type: PromiseConnection,
    description: 'Promises by due time, the next to keep first',
    args: {
      status: t.arg({ type: [PromiseStatus], required: false }),
      accountManagerId: t.arg.id({ required: false }),
      dueBefore: t.arg({ type: 'DateTime', required: false }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      promisePage(ctx, args, {
        accountManagerId: managerScope(ctx, args.accountManagerId) ?? undefined,
      }),
  }),
);

builder.objectField(Relationship, 'promises', (t) =>
  t.field({
    type: PromiseConnection,
    description: 'Promises made to this customer, by due time',
    args: {
      status: t.arg({ type: [PromiseStatus], required: false }),
      dueBefore: t.arg({ type: 'DateTime', required: false }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    // Batched: every relationship of a list in one query (loaders/request-loaders.ts).
    resolve: async (r, args, ctx) => {
      const { limit, after } = promisePageArgs(args);
      const rows = await ctx.loaders.promises.load({
        customerId: r.customerId,
        args: {
          statuses: args.status ?? undefined,
          dueBefore: args.dueBefore?.toISOString(),
          after,
          limit: limit + 1,
        },
      });
      return pageOf(rows, limit, after !== null, promiseKeys);
    },
  }),
);
