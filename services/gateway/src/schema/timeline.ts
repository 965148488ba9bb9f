import { compareKeys } from '@crh/domain';
import { builder } from '../builder.ts';
import { badInput, checkPageSize } from '../user-errors.ts';
import { decodeCursor, encodeCursor } from './page-info.ts';
import { EventConnection } from './recorded-event.ts';
import { Relationship } from './relationship.ts';

builder.objectField(Relationship, 'timeline', (t) =>
  t.field({
    type: EventConnection,
    description: "The customer's events, newest first (by occurredAt, then log position)",
    args: {
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (relationship, args, ctx) => {
      const first = checkPageSize(args.first ?? 50);
      const after = args.after ? decodeTimelineCursor(args.after) : null;
      const stream = await ctx.streams.load(relationship.customerId);
      const timeline = [...stream].sort((a, b) => compareKeys(b, a));
      // Newest first by (occurredAt, position); the cursor is the last key seen.
      const start = after ? timeline.findIndex((e) => compareKeys(e, after) < 0) : 0;
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
);

function decodeTimelineCursor(cursor: string): { occurredAt: string; position: string } {
  const [occurredAt, position] = decodeCursor(cursor) ?? [];
  if (typeof occurredAt !== 'string' || typeof position !== 'string') {
    throw badInput('after is not a cursor of this connection');
  }
  return { occurredAt, position };
}
