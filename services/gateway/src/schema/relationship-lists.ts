import { isLocalDate, type RelationshipState, stateOnInterval, TIERS, type Tier } from '@crh/domain';
import {
  countRelationships,
  type PageCursor,
  type RelationshipFilter,
  relationshipsPage,
} from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder, type GatewayContext } from '../builder.ts';
import { todayOf } from '../request-day.ts';
import { badInput, checkPageSize } from '../user-errors.ts';
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
      'The daily view: relationships NEGLECTED as of the end of date, by daysSinceContact descending, then customerId',
    args: {
      date: t.arg({ type: 'Date', required: true }),
      accountManagerId: t.arg.id({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const rows = await relationshipsPage(ctx.db, {
        day: args.date,
        accountManagerId: managerScope(ctx, args.accountManagerId) ?? undefined,
        statuses: ['NEGLECTED'],
      });
      return rows.map(toState(ctx, args.date));
    },
  }),
);
