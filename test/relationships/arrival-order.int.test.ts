import { DEFAULT_TIER_POLICY } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { createLogger } from '@crh/observability';
import { createProjector } from '@crh/read-models/runner';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HistoryEvent, randomHistory } from '../support/random-history.ts';
import { snapshotByEventIds } from '../support/read-model-snapshot.ts';

// docs/rules.md, "Late events": every view comes out as if each event had
// arrived on time. So the order in which a customer's events reach the log
// must not matter: any arrival order gives the same status intervals, the
// same signals, KPIs, complaints, promises and answers as the order of
// occurrence. The one order the rules do keep is that of events with the
// same occurredAt ("taken in the order the log received them"), so the
// arrival orders tried here keep ties in their relative order and shuffle
// everything else: late events land before, between and after the ones
// already projected, with the projector running at random moments.

const NOW = new Date('2026-09-01T12:00:00Z');
const RUNS = 15;
const logger = createLogger('arrival-order-test', 'silent');

/**
 * `events` in the order `keys` sorts them, except that events sharing an
 * occurredAt keep their relative order (they take the tied slots in turn).
 */
function arrivalOrder(events: readonly HistoryEvent[], keys: readonly number[]): HistoryEvent[] {
  const shuffled = events.map((event, i) => ({ event, key: keys[i] ?? 0, i }));
  shuffled.sort((a, b) => a.key - b.key || a.i - b.i);
  const tiedInOrder = new Map<string, HistoryEvent[]>();
  for (const event of events) {
    const tied = tiedInOrder.get(event.occurredAt) ?? [];
    tied.push(event);
    tiedInOrder.set(event.occurredAt, tied);
  }
  return shuffled.map(({ event }) => tiedInOrder.get(event.occurredAt)!.shift()!);
}

/** Appends `events` in chunks as given, projecting after the chunks `projectAfter` picks, then to the end. */
async function project(
  events: readonly HistoryEvent[],
  chunk: number,
  projectAfter: readonly boolean[],
): Promise<Record<string, string[]>> {
  const database = await openPlatformTestDatabase();
  try {
    return await projectInto(database, events, chunk, projectAfter);
  } finally {
    await database.close();
  }
}

async function projectInto(
  database: PlatformTestDatabase,
  events: readonly HistoryEvent[],
  chunk: number,
  projectAfter: readonly boolean[],
): Promise<Record<string, string[]>> {
  const { store, pool } = database;
  const projector = createProjector({
    store,
    pool,
    logger,
    context: { timeZone: 'Europe/Amsterdam', policy: DEFAULT_TIER_POLICY },
    batchSize: 7, // small batches: a late event often meets a customer projected in an earlier one
    now: () => NOW,
  });
  let last = '';
  for (let i = 0, n = 0; i < events.length; i += chunk, n++) {
    const results = await store.append(events.slice(i, i + chunk) as AppendEvent[]);
    for (const { position } of results) if (position > last) last = position;
    if (projectAfter[n % projectAfter.length]) await projector.catchUp();
  }
  // The log's reads are gap-free: an append is readable once older
  // transactions on the (shared) server have ended, so project until the
  // checkpoint holds the last one.
  while (((await projector.checkpoint()) ?? '') < last) {
    await projector.catchUp();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return snapshotByEventIds(pool, async () => {
    const streams = await store.readStreams([...new Set(events.map((e) => e.customerId))]);
    const stored = [...streams.values()].flat();
    expect(stored).toHaveLength(events.length);
    return stored;
  });
}

describe('the order events arrive in', () => {
  it('gives the same read models as the order they occurred in, for any arrival order', async () => {
    const histories = fc.record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      customers: fc.integer({ min: 1, max: 4 }),
      eventsPerCustomer: fc.integer({ min: 3, max: 24 }),
    });
    let withIntervals = 0;
    await fc.assert(
      fc.asyncProperty(
        histories.chain((shape) => {
          const history = randomHistory({
            ...shape,
            startDay: '2026-03-01',
            days: 150,
            managers: 2,
            customerPrefix: `arrival-${shape.seed}-`,
          });
          const events = history.events;
          return fc.record({
            events: fc.constant(events),
            keys: fc.array(fc.double({ noNaN: true }), {
              minLength: events.length,
              maxLength: events.length,
            }),
            chunk: fc.integer({ min: 1, max: 9 }),
            projectAfter: fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
          });
        }),
        async ({ events, keys, chunk, projectAfter }) => {
          const onTime = await project(events, events.length, [true]);
          const late = await project(arrivalOrder(events, keys), chunk, projectAfter);
          if (onTime['crh.rm_relationship_intervals']!.length > 0) withIntervals++;
          expect(late).toEqual(onTime);
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Not a vacuous comparison: most histories hold onboarded customers with status intervals.
    expect(withIntervals).toBeGreaterThan(RUNS / 2);
  }, 240_000);

  it('keeps same-instant events in the order the log received them (the rule the shuffle respects)', () => {
    const at = '2026-03-02T09:00:00.000Z';
    const a = { id: 'a', type: 'X', customerId: 'c', occurredAt: at, data: {} };
    const b = { ...a, id: 'b' };
    const c = { ...a, id: 'c', occurredAt: '2026-03-01T09:00:00.000Z' };
    // Keys put b before a and c last; the tie a/b stays a, b.
    expect(arrivalOrder([a, b, c], [2, 1, 3]).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(arrivalOrder([a, b, c], [2, 3, 1]).map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });
});
