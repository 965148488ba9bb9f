import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  type AppendEvent,
  type AppendOutcome,
  comparePositions,
  type EventStore,
  type RecordedEvent,
} from '../src/port.ts';
import { expectStrictlyIncreasing, lastOf, newEvent } from './contract-fixtures.ts';

const WRITERS = 8;
const BATCHES_PER_WRITER = 40;
const MAX_BATCH = 8;
const CATCH_UP_DEADLINE_MS = 15_000;

/**
 * The "reader never skips" proof. Eight writers append batches of mixed
 * customers (some customers shared between writers, so their appends contend
 * on the same streams) while a reader keeps calling readAll from its own
 * checkpoint as fast as it can. A reader that trusted positions alone
 * (`position > checkpoint`) loses events whenever a transaction that drew a
 * smaller position commits after one that drew a larger one; a store whose
 * stream order disagreed with its global order would show a revision before
 * its predecessor. Either fails the checks below.
 */
export function describeConcurrentWriters(getStore: () => EventStore): void {
  it('lets a concurrent reader see every committed event exactly once, in stream order', async () => {
    const store = getStore();
    const run = randomBytes(4).toString('hex');
    const shared = Array.from({ length: 4 }, (_, i) => `shared${i}-${run}`);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
    const customerFor = (writer: number) =>
      Math.random() < 0.5 ? pick(shared) : `own${writer}x${pick([0, 1, 2])}-${run}`;

    const start = await store.headPosition();
    const outcomes: (AppendOutcome & { customerId: string })[] = [];
    // Set once every writer is done: the last position the reader must reach.
    let target: { position: string; doneAt: number } | undefined;

    const writer = async (w: number) => {
      for (let b = 0; b < BATCHES_PER_WRITER; b++) {
        const size = 1 + Math.floor(Math.random() * MAX_BATCH);
        const batch: AppendEvent[] = Array.from({ length: size }, () => newEvent(customerFor(w)));
        const result = await store.append(batch);
        result.forEach((outcome, i) => {
          outcomes.push({ ...outcome, customerId: batch[i]!.customerId });
        });
      }
    };

    const seen: RecordedEvent[] = [];
    const reader = async () => {
      let after = start;
      for (;;) {
        // As fast as it can while writers run: the more often it reads, the
        // more chances a skipping reader has to pass an uncommitted event.
        const page = await store.readAll({ after, limit: 50 });
        const last = page.at(-1);
        if (last) {
          seen.push(...page);
          after = last.position;
          continue;
        }
        if (!target) continue;
        const caughtUp = after !== null && comparePositions(after, target.position) >= 0;
        if (caughtUp || Date.now() > target.doneAt + CATCH_UP_DEADLINE_MS) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    const reading = reader();
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    target = { position: lastOf(outcomes.map((o) => o.position).sort(comparePositions)), doneAt: Date.now() };
    await reading;

    const ours = new Set(outcomes.map((o) => o.customerId));
    const seenOurs = seen.filter((e) => ours.has(e.customerId));
    expect(outcomes.every((o) => o.status === 'recorded')).toBe(true);
    expect(seenOurs.length).toBe(outcomes.length);

    expectStrictlyIncreasing(seen.map((e) => e.position));
    const seenById = new Map(seenOurs.map((e) => [e.id, e]));
    expect(seenById.size).toBe(seenOurs.length);
    for (const outcome of outcomes) {
      expect(seenById.get(outcome.id)?.position, `event ${outcome.id} at ${outcome.position}`).toBe(
        outcome.position,
      );
    }

    // In global order, each stream must read 0, 1, 2, ... without holes.
    const revisions = new Map<string, number[]>();
    for (const event of seenOurs) {
      const list = revisions.get(event.customerId) ?? [];
      list.push(event.revision);
      revisions.set(event.customerId, list);
    }
    for (const [customer, list] of revisions) {
      expect(list, `revisions of ${customer} in global order`).toEqual(list.map((_, i) => i));
    }
    expect(revisions.size).toBeGreaterThan(shared.length);
  });
}
