import { localDateOf, RELATIONSHIP_STATUSES, type RelationshipState } from '@crh/domain';
import { relationshipOnDay, timelineOf } from '@crh/read-models';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.ts';
import { decodeCursor, encodeCursor } from './page-info.ts';
import { EventConnection } from './recorded-event.ts';

export const RelationshipStatus = builder.enumType('RelationshipStatus', {
  values: RELATIONSHIP_STATUSES,
});

const MAX_PAGE = 500;

export const Relationship = builder.objectRef<RelationshipState>('Relationship').implement({
  description: 'A customer relationship as of the end of a day (the query asOf, default today)',
  fields: (t) => ({
    customerId: t.exposeID('customerId'),
    name: t.exposeString('name', { nullable: true }),
    tier: t.exposeString('tier'),
    accountManagerId: t.exposeID('accountManagerId', { nullable: true }),
    segment: t.exposeString('segment', { nullable: true }),
    contractValue: t.exposeFloat('contractValue', { nullable: true }),
    onboardedAt: t.field({ type: 'DateTime', resolve: (r) => r.onboardedAt }),
    status: t.field({ type: RelationshipStatus, resolve: (r) => r.status }),
    lastContactAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastContactAt }),
    daysSinceContact: t.exposeInt('daysSinceContact'),
    openComplaints: t.exposeInt('openComplaints'),
    lastNpsScore: t.exposeInt('lastNpsScore', { nullable: true }),
    timeline: t.field({
      type: EventConnection,
      description: "The customer's events, newest first (by occurredAt)",
      args: {
        first: t.arg.int({ defaultValue: 50 }),
        after: t.arg.string({ required: false }),
      },
      resolve: async (relationship, args, ctx) => {
        const first = args.first ?? 50;
        if (first < 0 || first > MAX_PAGE) {
          throw new GraphQLError(`first must be between 0 and ${MAX_PAGE}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const after = args.after ? decodeTimelineCursor(args.after) : null;
        // Newest first by (occurredAt, position); the cursor is the last key seen.
        const timeline = await timelineOf(ctx.store, relationship.customerId);
        const start = after
          ? timeline.findIndex(
              (e) =>
                e.occurredAt < after.occurredAt ||
                (e.occurredAt === after.occurredAt && e.position < after.position),
            )
          : 0;
        const rest = start < 0 ? [] : timeline.slice(start);
        const page = rest.slice(0, first);
        const edges = page.map((event) => ({
          cursor: encodeCursor([event.occurredAt, event.position]),
          node: event,
        }));
        return {
          edges,
          pageInfo: {
            hasNextPage: rest.length > page.length,
            hasPreviousPage: after !== null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    }),
  }),
});

function decodeTimelineCursor(cursor: string): { occurredAt: string; position: string } {
  const keys = decodeCursor(cursor);
  const [occurredAt, position] = keys ?? [];
  if (typeof occurredAt !== 'string' || typeof position !== 'string') {
    throw new GraphQLError('after is not a cursor of this connection', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return { occurredAt, position };
}

builder.queryField('relationship', (t) =>
  t.field({
    type: Relationship,
    nullable: true,
    description: 'One relationship as of the end of asOf (default: today); null when not onboarded by then',
    args: {
      customerId: t.arg.id({ required: true }),
      asOf: t.arg({ type: 'Date', required: false }),
    },
    resolve: (_root, args, ctx) =>
      relationshipOnDay(
        ctx.store,
        String(args.customerId),
        args.asOf ?? localDateOf(ctx.now(), ctx.timeZone),
        ctx,
      ),
  }),
);
