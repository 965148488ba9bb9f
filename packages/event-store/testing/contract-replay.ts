import { describe, expect, it } from 'vitest';
import type { EventStore, ReplayOptions } from '../src/port.ts';
import { toEnvelope } from '../src/stored-envelope.ts';
import { lastOf, newEvent, readAllPages, uniqueCustomer, waitForHead } from './contract-fixtures.ts';

/** Everything a replay yields, as parsed lines; also checks each chunk is whole lines. */
async function replayed(store: EventStore, options: ReplayOptions): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  for await (const chunk of store.replay(options)) {
    expect(chunk.endsWith('\n'), 'a chunk ends with a whole line').toBe(true);
    for (const line of chunk.slice(0, -1).split('\n'))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  return lines;
}

/** The replay API's body: the same envelopes as readAll, as NDJSON, bounded and filtered. */
export function describeReplay(getStore: () => EventStore): void {
  describe('replay (NDJSON)', () => {
    it('gives each event as its stored envelope on one line, in log order, like readAll', async () => {
      const store = getStore();
      const [a, b] = [uniqueCustomer('replay-a'), uniqueCustomer('replay-b')];
      const events = [
        newEvent(a, {
          type: 'NpsResponded',
          actorId: 'am-1',
          occurredAt: '2026-02-03T04:05:06.789Z',
          data: {
            score: 9,
            comment: 'line one\nline two "quoted" \\ back ünï 😀',
            nested: { n: [1.5, null, true] },
          },
          metadata: { source: 'crm-sync' },
        }),
        newEvent(b),
        newEvent(a),
      ];
      const outcomes = await store.append(events);
      await waitForHead(store, lastOf(outcomes).position);
      const first = outcomes[0]!.position;
      const after = (await readAllPages(store, {}, 1000)).events.filter((e) => e.position < first).at(-1);
      const lines = await replayed(store, {
        after: after?.position ?? null,
        upTo: lastOf(outcomes).position,
      });
      const expected = (await readAllPages(store, { after: after?.position ?? null }, 1000)).events
        .filter((e) => e.position <= lastOf(outcomes).position)
        .map((e) => toEnvelope(e));
      expect(lines).toEqual(expected);
      const mine = lines.filter((l) => l.customerId === a || l.customerId === b);
      expect(mine.map((l) => l.id)).toEqual(events.map((e) => e.id));
      // Optional keys are left out, never null.
      expect(mine[1]).not.toHaveProperty('actorId');
      expect(mine[1]).not.toHaveProperty('metadata');
      expect(mine[0]).toMatchObject({ actorId: 'am-1', metadata: { source: 'crm-sync' }, revision: 0 });
    });

    it('stops at upTo however much is appended meanwhile, and at limit', async () => {
      const store = getStore();
      const customer = uniqueCustomer('replay-upto');
      const before = await store.append([newEvent(customer), newEvent(customer), newEvent(customer)]);
      const upTo = lastOf(before).position;
      await waitForHead(store, upTo);
      await store.append([newEvent(customer), newEvent(customer)]);
      const bounded = await replayed(store, { customerId: customer, upTo });
      expect(bounded.map((l) => l.id)).toEqual(before.map((o) => o.id));
      expect(await store.countEvents({ customerId: customer, upTo })).toBe(3);
      const limited = await replayed(store, { customerId: customer, limit: 2 });
      expect(limited.map((l) => l.revision)).toEqual([0, 1]);
      expect(await store.countEvents({ customerId: customer, limit: 2 })).toBe(2);
    });

    it('filters by types, customer, occurredAt bounds and after, and counts what it would give', async () => {
      const store = getStore();
      const customer = uniqueCustomer('replay-filter');
      const events = [
        newEvent(customer, {
          type: 'ComplimentReceived',
          occurredAt: '2026-01-01T00:00:00.000Z',
          data: { channel: 'call' },
        }),
        newEvent(customer, { occurredAt: '2026-01-15T12:00:00.000Z' }),
        newEvent(customer, {
          type: 'ComplimentReceived',
          occurredAt: '2026-02-01T00:00:00.000Z',
          data: { channel: 'email' },
        }),
        newEvent(customer, { occurredAt: '2026-03-01T00:00:00.000Z' }),
      ];
      const outcomes = await store.append(events);
      await waitForHead(store, lastOf(outcomes).position);
      const ids = async (options: ReplayOptions) =>
        (await replayed(store, { customerId: customer, ...options })).map((l) => l.id);
      expect(await ids({ types: ['ComplimentReceived'] })).toEqual([events[0]!.id, events[2]!.id]);
      expect(
        await ids({ from: new Date('2026-01-15T12:00:00.000Z'), to: new Date('2026-02-01T00:00:00.000Z') }),
      ).toEqual([events[1]!.id, events[2]!.id]);
      expect(await ids({ after: outcomes[1]!.position })).toEqual([events[2]!.id, events[3]!.id]);
      expect(await ids({ types: ['ContactLogged'], after: outcomes[1]!.position })).toEqual([events[3]!.id]);
      expect(await store.countEvents({ customerId: customer, types: ['ComplimentReceived'] })).toBe(2);
      expect(await ids({ types: ['CustomerChurned'] })).toEqual([]);
    });

    it('streams many pages: every event once, in order', async () => {
      const store = getStore();
      const customer = uniqueCustomer('replay-many');
      const outcomes = [];
      for (let i = 0; i < 12; i++) {
        outcomes.push(...(await store.append(Array.from({ length: 1000 }, () => newEvent(customer)))));
      }
      await waitForHead(store, lastOf(outcomes).position);
      let chunks = 0;
      let count = 0;
      let revision = 0;
      for await (const chunk of store.replay({ customerId: customer })) {
        chunks += 1;
        for (const line of chunk.slice(0, -1).split('\n')) {
          expect((JSON.parse(line) as { revision: number }).revision).toBe(revision++);
          count += 1;
        }
      }
      expect(count).toBe(12_000);
      expect(chunks).toBeGreaterThan(1); // yielded as it reads, not all at once
    });
  });
}
