import { normaliseRfc3339 } from '@crh/domain';
import { POSITION_PATTERN, type TimeKey } from '@crh/event-store';
import { builder } from '../builder.ts';
import { badInput, checkPageSize } from '../user-errors.ts';
import { pageOf } from './connections.ts';
import { decodeCursor } from './page-info.ts';
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
      // Only this page is read (one more event tells whether another follows),
      // with every other timeline of the request in the same store round trip.
      const events = await ctx.loaders.timeline.load({
        customerId: relationship.customerId,
        after,
        limit: first + 1,
      });
      return pageOf(events, first, after !== null, (e) => [e.occurredAt, e.position]);
    },
  }),
);

/** The cursor is the last key seen: (occurredAt, position) of the page's last event. */
function decodeTimelineCursor(cursor: string): TimeKey {
  const [occurredAt, position] = decodeCursor(cursor) ?? [];
  if (
    typeof occurredAt !== 'string' ||
    normaliseRfc3339(occurredAt) !== occurredAt ||
    typeof position !== 'string' ||
    !POSITION_PATTERN.test(position)
  ) {
    throw badInput('after is not a cursor of this connection');
  }
  return { occurredAt, position };
}
