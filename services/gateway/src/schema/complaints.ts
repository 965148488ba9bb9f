import { complaintOutcome, longestSilenceHoursAt, slaBreaches } from '@crh/domain';
import { type ComplaintCursor, type ComplaintRowOut, complaintsPage } from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder, type GatewayContext } from '../builder.ts';
import { checkPageSize } from '../user-errors.ts';
import { connection, keysetCursor, pageOf } from './connections.ts';
import { Relationship } from './relationship.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

const ComplaintStatus = builder.enumType('ComplaintStatus', { values: ['OPEN', 'RESOLVED'] as const });
const ComplaintOutcome = builder.enumType('ComplaintOutcome', {
  description:
    'RECOVERED: resolved and no churn in the 90 days after; LOST: churned in them; PENDING: fewer than 90 days since, no churn',
  values: ['RECOVERED', 'LOST', 'PENDING'] as const,
});
const SlaKind = builder.enumType('SlaKind', { values: ['ACKNOWLEDGE', 'UPDATE', 'RESOLVE'] as const });

const SlaBreach = builder
  .objectRef<{ kind: 'ACKNOWLEDGE' | 'UPDATE' | 'RESOLVE'; dueAt: string; running: boolean }>('SlaBreach')
  .implement({
    fields: (t) => ({
      kind: t.field({ type: SlaKind, resolve: (b) => b.kind }),
      dueAt: t.field({
        type: 'DateTime',
        description: 'When the target was missed',
        resolve: (b) => b.dueAt,
      }),
      running: t.exposeBoolean('running', { description: 'Still missed now (open and not yet put right)' }),
    }),
  });

const slaFacts = (c: ComplaintRowOut) => ({
  receivedAt: c.received_at.toISOString(),
  acknowledgedAt: iso(c.acknowledged_at),
  firstResolvedAt: iso(c.first_resolved_at),
  open: c.open,
  longestSilenceHours: c.longest_silence_hours,
  longestSilenceFrom: iso(c.longest_silence_from),
  silentSince: iso(c.silent_since),
});

export const Complaint = builder.objectRef<ComplaintRowOut>('Complaint').implement({
  description:
    'A complaint and its recovery: first solve, keep the customer informed, do something beyond the repair, ask what to improve (docs/rules.md)',
  fields: (t) => ({
    customerId: t.id({ resolve: (c) => c.customer_id }),
    complaintId: t.id({ resolve: (c) => c.complaint_id }),
    accountManagerId: t.id({ resolve: (c) => c.account_manager_id }),
    status: t.field({ type: ComplaintStatus, resolve: (c) => (c.open ? 'OPEN' : 'RESOLVED') }),
    channel: t.string({ nullable: true, resolve: (c) => c.channel }),
    severity: t.string({ nullable: true, resolve: (c) => c.severity }),
    category: t.string({ nullable: true, resolve: (c) => c.category }),
    receivedAt: t.field({ type: 'DateTime', resolve: (c) => c.received_at }),
    acknowledgedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.acknowledged_at }),
    firstResolvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.first_resolved_at }),
    resolvedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The resolution that closed it, while it is closed',
      resolve: (c) => c.resolved_at,
    }),
    hoursToAcknowledge: t.float({ nullable: true, resolve: (c) => c.hours_to_acknowledge }),
    hoursToResolve: t.float({
      nullable: true,
      description: 'To the first resolution',
      resolve: (c) => c.hours_to_resolve,
    }),
    longestSilenceHours: t.float({
      description:
        'The longest gap between customer-facing steps while open; an open complaint’s current silence counts up to now',
      resolve: (c, _args, ctx) => longestSilenceHoursAt(slaFacts(c), ctx.now()),
    }),
    updates: t.exposeInt('updates'),
    reopenings: t.exposeInt('reopenings'),
    beyondRepair: t.boolean({
      description: 'A recovery gesture that is not a discount or refund',
      resolve: (c) => c.beyond_repair,
    }),
    gestures: t.stringList({ resolve: (c) => c.gestures }),
    feedbackAsked: t.boolean({ resolve: (c) => c.feedback_asked }),
    feedbackSatisfied: t.boolean({ nullable: true, resolve: (c) => c.feedback_satisfied }),
    outcome: t.field({
      type: ComplaintOutcome,
      nullable: true,
      resolve: (c, _args, ctx) =>
        complaintOutcome(iso(c.resolved_at), iso(c.churned_after_resolution_at), ctx.now()),
    }),
    slaBreaches: t.field({
      type: [SlaBreach],
      description: 'Service levels missed so far (CRH_COMPLAINT_SLA)',
      resolve: (c, _args, ctx) => slaBreaches(slaFacts(c), ctx.now(), ctx.complaintSla),
    }),
    overdue: t.boolean({
      description: 'A service level is being missed right now',
      resolve: (c, _args, ctx) =>
        slaBreaches(slaFacts(c), ctx.now(), ctx.complaintSla).some((b) => b.running),
    }),
  }),
});

const ComplaintConnection = connection<ComplaintRowOut>('Complaint', Complaint);

const complaintArgs = (t: Parameters<Parameters<typeof builder.queryField>[1]>[0]) => ({
  status: t.arg({ type: ComplaintStatus, required: false }),
  overdue: t.arg.boolean({
    required: false,
    description: 'Only complaints missing a service level now (true) or not (false)',
  }),
  first: t.arg.int({ defaultValue: 50 }),
  after: t.arg.string({ required: false }),
});

interface ComplaintArgs {
  status?: 'OPEN' | 'RESOLVED' | null | undefined;
  overdue?: boolean | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}

/** The page asked for: checked size, decoded cursor, filters. */
function complaintPageArgs(args: ComplaintArgs) {
  const limit = checkPageSize(args.first ?? 50);
  return {
    limit,
    after: args.after ? (keysetCursor(args.after, 3) as ComplaintCursor) : null,
    open: args.status == null ? undefined : args.status === 'OPEN',
    overdue: args.overdue ?? undefined,
  };
}

const complaintKeys = (c: ComplaintRowOut) => [c.received_at.toISOString(), c.customer_id, c.complaint_id];

async function complaintPage(ctx: GatewayContext, args: ComplaintArgs, scope: { accountManagerId?: string }) {
  const { limit, after, open, overdue } = complaintPageArgs(args);
  const rows = await complaintsPage(
    ctx.db,
    { ...scope, open, overdue, now: ctx.now(), sla: ctx.complaintSla },
    { after, limit: limit + 1 },
  );
  return pageOf(rows, limit, after !== null, complaintKeys);
}

builder.queryField('complaints', (t) =>
  t.field({
    type: ComplaintConnection,
    description: 'Complaints, oldest receipt first (an open list starts with whoever has waited longest)',
    args: { ...complaintArgs(t), accountManagerId: t.arg.id({ required: false }) },
    resolve: (_root, args, ctx) =>
      complaintPage(ctx, args, {
        accountManagerId: managerScope(ctx, args.accountManagerId) ?? undefined,
      }),
  }),
);

builder.objectField(Relationship, 'complaints', (t) =>
  t.field({
    type: ComplaintConnection,
    description: 'This customer’s complaints, oldest first',
    args: complaintArgs(t as never),
    // Batched: every relationship of a list in one query (loaders/request-loaders.ts).
    resolve: async (r, args, ctx) => {
      const { limit, ...page } = complaintPageArgs(args);
      const rows = await ctx.loaders.complaints.load({
        customerId: r.customerId,
        args: { ...page, limit: limit + 1 },
      });
      return pageOf(rows, limit, page.after !== null, complaintKeys);
    },
  }),
);
