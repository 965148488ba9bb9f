import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../../testing/contract-fixtures.ts';
import { InMemoryEsdbLog } from '../../testing/in-memory-esdb-log.ts';
import { type AppendOutcome, WrongExpectedRevisionError } from '../port.ts';
import { EventStoreDbEventStore } from './eventstoredb-event-store.ts';

// Two stores over one log stand for two ingest processes: their appends are
// not queued by each other's locks, so they race to revision conflicts.
function twoProcesses() {
  const log = new InMemoryEsdbLog();
  const streamPrefix = `race${randomUUID().slice(0, 6)}-`;
  return [
    EventStoreDbEventStore.overLog(log, { streamPrefix }),
    EventStoreDbEventStore.overLog(log, { streamPrefix }),
  ] as const;
}

describe('appends of two processes to the same streams (over an in-memory log, not a server)', () => {
  it('records every event once, revisions without holes, retrying on conflicts', async () => {
    const [one, two] = twoProcesses();
    const customers = ['a', 'b', 'c'];
    const outcomes: AppendOutcome[] = [];
    const writer = async (store: EventStoreDbEventStore) => {
      for (let i = 0; i < 30; i++) {
        const batch = Array.from({ length: 1 + (i % 4) }, (_, j) => newEvent(customers[(i + j) % 3]!));
        outcomes.push(...(await store.append(batch)));
      }
    };
    await Promise.all([writer(one), writer(two), writer(one), writer(two)]);
    expect(outcomes.every((o) => o.status === 'recorded')).toBe(true);
    for (const customer of customers) {
      const stream = await one.readStream(customer);
      expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => i));
      expect(new Set(stream.map((e) => e.id)).size).toBe(stream.length);
    }
    const all = await one.readAll({ limit: 10_000 });
    expect(all).toHaveLength(outcomes.length);
    const byId = new Map(all.map((e) => [e.id, e]));
    for (const outcome of outcomes) {
      expect(byId.get(outcome.id)).toMatchObject({ position: outcome.position, revision: outcome.revision });
    }
  });

  it('answers the same batch sent to both at once with one recorded and one duplicate each', async () => {
    const [one, two] = twoProcesses();
    const batch = [newEvent('x'), newEvent('y'), newEvent('x')];
    const [first, second] = await Promise.all([one.append(batch), two.append(batch)]);
    for (let i = 0; i < batch.length; i++) {
      expect([first[i]!.status, second[i]!.status].sort()).toEqual(['duplicate', 'recorded']);
      expect({ ...first[i], status: '' }).toEqual({ ...second[i], status: '' });
    }
    expect((await one.readStream('x')).map((e) => e.id)).toEqual([batch[0]!.id, batch[2]!.id]);
  });

  it("holds a caller's expectedRevision exactly when another process appends first", async () => {
    const [one, two] = twoProcesses();
    await one.append([newEvent('t')]);
    const results = await Promise.allSettled([
      one.append([newEvent('t', { expectedRevision: 0 })]),
      two.append([newEvent('t', { expectedRevision: 0 })]),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(rejected.reason).toMatchObject({ customerId: 't', expected: 0, actual: 1 });
    expect(await one.readStream('t')).toHaveLength(2);
  });
});
