import { isLocalDate, type RelationshipState, stateOnInterval, TIERS, type Tier } from '@crh/domain';
import {
  countRelationships,
  type PageCursor,
  type RelationshipFilter,
  relationshipOn,
  relationshipsPage,
} from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder, type GatewayContext } from '../builder.ts';
import { todayOf } from '../request-day.ts';
import { badInput, checkPageSize, MAX_PAGE } from '../user-errors.ts';
import { decodeCursor, encodeCursor, PageInfo, type PageInfoShape } from './page-info.ts';
import { Relationship, RelationshipStatus } from './relationship.ts';

interface RelationshipEdgeShape {
  cursor: string;
  node: RelationshipState;
}

interface RelationshipConnectionShape {
  edges: RelationshipEdgeShape[];
  pageInfo: PageInfoShape;
  /** Kept for totalCount, which is counted only when asked for. */
  filter: RelationshipFilter;
}

const RelationshipEdge = builder.objectRef<RelationshipEdgeShape>('RelationshipEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: Relationship, resolve: (e) => e.node }),
  }),
});

const RelationshipConnection = builder
  .objectRef<RelationshipConnectionShape>('RelationshipConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [RelationshipEdge], resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfo, resolve: (c) => c.pageInfo }),
      totalCount: t.int({
        description: 'Relationships the filter holds on the day, over all pages',
        resolve: (c, _args, ctx) => countRelationships(ctx.db, c.filter),
      }),
    }),
  });

function tierArg(tier: string | null | undefined): Tier | undefined {
  if (tier === null || tier === undefined) return undefined;
  const known = TIERS.find((t) => t === tier);
  if (!known) throw badInput(`tier must be one of ${TIERS.join(', ')}`);
  return known;
}

function pageCursor(cursor: string): PageCursor {
  const [lastContactDate, customerId] = decodeCursor(cursor) ?? [];
  if (
    typeof lastContactDate !== 'string' ||
    !isLocalDate(lastContactDate) ||
    typeof customerId !== 'string'
  ) {
    throw badInput('after is not a cursor of this connection');
  }
  return { lastContactDate, customerId };
}

const toState = (ctx: GatewayContext, day: string) => (interval: Parameters<typeof stateOnInterval>[0]) =>
  stateOnInterval(interval, day, ctx.rules);

builder.queryField('relationships', (t) =>
  t.field({
    type: RelationshipConnection,
    description:
      'Relationships as of the end of asOf (default today), by daysSinceContact descending, then customerId',
    args: {
      accountManagerId: t.arg.id({ required: false }),
      status: t.arg({ type: [RelationshipStatus], required: false }),
      tier: t.arg.string({ required: false }),
      asOf: t.arg({ type: 'Date', required: false }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const first = checkPageSize(args.first ?? 50);
      const filter: RelationshipFilter = {
        day: args.asOf ?? todayOf(ctx),
        accountManagerId: managerScope(ctx, args.accountManagerId) ?? undefined,
        statuses: args.status ?? undefined,
        tier: tierArg(args.tier),
      };
      const after = args.after ? pageCursor(args.after) : null;
      // One row more than asked tells whether there is a next page.
      const rows = await relationshipsPage(ctx.db, filter, { after, limit: first + 1 });
      const edges = rows.slice(0, first).map((interval) => ({
        cursor: encodeCursor([interval.lastContactDate, interval.customerId]),
        node: toState(ctx, filter.day)(interval),
      }));
      return {
        edges,
        filter,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);

builder.queryField('neglectedRelationships', (t) =>
  t.field({
    type: [Relationship],
    description:
      'The daily view: relationships NEGLECTED as of the end of date, by daysSinceContact descending, then customerId; every one of them, or with first/after one page of them',
    args: {
      date: t.arg({ type: 'Date', required: true }),
      accountManagerId: t.arg.id({ required: false }),
      first: t.arg.int({
        required: false,
        description: `At most this many (0-${MAX_PAGE}); absent: every one after \`after\``,
      }),
      after: t.arg.id({
        required: false,
        description:
          'The customerId of the last relationship of the previous page: the page continues after its place in the order on date',
      }),
    },
    resolve: async (_root, args, ctx) => {
      // No default: without first the answer stays the whole list, as before paging existed.
      const first = args.first === null || args.first === undefined ? undefined : checkPageSize(args.first);
      const filter: RelationshipFilter = {
        day: args.date,
        accountManagerId: managerScope(ctx, args.accountManagerId) ?? undefined,
        statuses: ['NEGLECTED'],
      };
      const after =
        args.after === null || args.after === undefined
          ? null
          : await afterRelationship(ctx, filter, args.after);
      const rows = await relationshipsPage(ctx.db, filter, { after, limit: first });
      return rows.map(toState(ctx, args.date));
    },
  }),
);

/**
 * A page of a plain list continues after a relationship the client was
 * given: its keyset place on the day (last contact day, customerId), read
 * here, so a client needs nothing but the list's last customerId. Its status
 * need not be the list's (a late event may have moved it since the previous
 * page): its place in the order is still where the page left off. It must be
 * in the book asked about on the day (an account manager's is always its
 * own), so `after` tells nothing of other books.
 */
async function afterRelationship(
  ctx: GatewayContext,
  filter: RelationshipFilter,
  after: string | number,
): Promise<PageCursor> {
  const customerId = String(after);
  const interval = customerId === '' ? null : await relationshipOn(ctx.db, customerId, filter.day);
  if (
    interval === null ||
    (filter.accountManagerId !== undefined && interval.accountManagerId !== filter.accountManagerId)
  ) {
    throw badInput(`after must be the customerId of a relationship of this list on ${filter.day}`);
  }
  return { lastContactDate: interval.lastContactDate, customerId: interval.customerId };
}
