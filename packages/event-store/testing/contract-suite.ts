import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendEvent, EventStore, RecordedEvent } from '../src/port.ts';
import { describeConcurrentWriters } from './contract-concurrency.ts';
import {
  eventually,
  expectStrictlyIncreasing,
  lastOf,
  newEvent,
  readAllPages,
  uniqueCustomer,
  waitForHead,
} from './contract-fixtures.ts';
import { describeIdempotencyAndRevisions } from './contract-idempotency.ts';
import { describeNewestFirstPages } from './contract-newest-first.ts';
import { describeReplay } from './contract-replay.ts';

export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

/**
 * The behaviour every EventStore adapter must have. The factory returns a
 * store over an EMPTY log; the suite migrates it and shares it between tests,
 * each of which works on customers of its own.
 */
export function describeEventStoreContract(adapterName: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let cleanup: (() => Promise<void>) | undefined;
    const getStore = () => store;

    beforeAll(async () => {
      ({ store, cleanup } = await factory());
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('starts empty, and migrating again (even concurrently) is harmless', async () => {
      expect(await store.headPosition()).toBeNull();
      expect(await store.readAll({ limit: 10 })).toEqual([]);
      await Promise.all([store.migrate(), store.migrate()]);
      expect(await store.headPosition()).toBeNull();
    });

    it('reads several streams at once, each in revision order, leaving out empty ones', async () => {
      const [a, b, none] = [uniqueCustomer('many-a'), uniqueCustomer('many-b'), uniqueCustomer('many-none')];
      const events = [newEvent(a), newEvent(b), newEvent(a), newEvent(b), newEvent(a)];
      await store.append(events);
      const streams = await store.readStreams([a, b, none]);
      expect([...streams.keys()].sort()).toEqual([a, b].sort());
      expect(streams.get(a)?.map((e) => [e.id, e.revision])).toEqual([
        [events[0]!.id, 0],
        [events[2]!.id, 1],
        [events[4]!.id, 2],
      ]);
      expect(streams.get(b)?.map((e) => e.id)).toEqual([events[1]!.id, events[3]!.id]);
      expect(await store.readStreams([])).toEqual(new Map());
    });

    it('reads every stream up to a position, whole streams in revision order', async () => {
      const [a, b, c] = [uniqueCustomer('upto-a'), uniqueCustomer('upto-b'), uniqueCustomer('upto-c')];
      const before = [newEvent(a), newEvent(b), newEvent(a), newEvent(c), newEvent(a), newEvent(b)];
      await store.append(before.slice(0, 3));
      const upTo = lastOf(await store.append(before.slice(3))).position;
      await waitForHead(store, upTo);
      await store.append([newEvent(a), newEvent(b)]); // after the position: left out
      const mine = new Set([a, b, c]);
      const seen = new Map<string, string[]>();
      for await (const batch of store.readStreamsUpTo(upTo, { batchSize: 2 })) {
        for (const stream of batch) {
          const customer = stream[0]!.customerId;
          expect(seen.has(customer), `${customer} came in two pieces`).toBe(false);
          expect(stream.every((e) => e.customerId === customer && e.position <= upTo)).toBe(true);
          expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => i));
          seen.set(
            customer,
            stream.map((e) => e.id),
          );
        }
      }
      const ids = (customer: string) => before.filter((e) => e.customerId === customer).map((e) => e.id);
      expect(new Map([...seen].filter(([customer]) => mine.has(customer)))).toEqual(
        new Map([a, b, c].map((customer) => [customer, ids(customer)])),
      );
    });

    it('returns appended envelopes intact from readStream, revisions from 0', async () => {
      const customer = uniqueCustomer('intact');
      const full = newEvent(customer, {
        type: 'NpsResponded',
        occurredAt: '2026-02-03T04:05:06.789Z',
        actorId: 'am-7',
        data: { score: 9, comment: 'ünïcödé "quoted" \\ back', nested: { list: [1, null, true] } },
        metadata: { correlationId: 'c-1', source: 'crm-sync' },
      });
      const bare = newEvent(customer);
      const before = Date.now();
      const outcomes = await store.append([full, bare]);
      const stream = await store.readStream(customer);

      expect(stream.map((e) => e.id)).toEqual([full.id, bare.id]);
      expect(stream.map((e) => e.revision)).toEqual([0, 1]);
      const [first, second] = stream as [RecordedEvent, RecordedEvent];
      expect(first).toMatchObject({
        id: full.id,
        type: 'NpsResponded',
        customerId: customer,
        occurredAt: '2026-02-03T04:05:06.789Z',
        actorId: 'am-7',
        data: full.data,
        metadata: full.metadata,
        position: outcomes[0]?.position,
      });
      expect(second).toMatchObject({
        actorId: null,
        metadata: null,
        data: bare.data,
        occurredAt: bare.occurredAt,
      });
      expect(Date.parse(first.recordedAt)).toBeGreaterThanOrEqual(before - 5_000);
      expect(new Date(first.recordedAt).toISOString()).toBe(first.recordedAt);
      expect(typeof first.position).toBe('string');
      expect(first.position.length).toBe(second.position.length);
      expectStrictlyIncreasing(stream.map((e) => e.position));
    });

    it('reports outcomes in input order, positions increasing, revisions per stream', async () => {
      const [a, b, c] = [uniqueCustomer('order-a'), uniqueCustomer('order-b'), uniqueCustomer('order-c')];
      const batch = [newEvent(a), newEvent(b), newEvent(a), newEvent(c), newEvent(a)];
      const outcomes = await store.append(batch);
      expect(outcomes.map((o) => o.id)).toEqual(batch.map((e) => e.id));
      expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('recorded'));
      expect(outcomes.map((o) => o.revision)).toEqual([0, 0, 1, 0, 2]);
      expectStrictlyIncreasing(outcomes.map((o) => o.position));
      const next = await store.append([newEvent(b)]);
      expect(next[0]?.revision).toBe(1);
      expectStrictlyIncreasing([lastOf(outcomes).position, next[0]!.position]);
    });

    it('pages a stream by fromRevision and limit', async () => {
      const customer = uniqueCustomer('paged-stream');
      await store.append(Array.from({ length: 7 }, () => newEvent(customer)));
      const page = await store.readStream(customer, { fromRevision: 2, limit: 3 });
      expect(page.map((e) => e.revision)).toEqual([2, 3, 4]);
      expect((await store.readStream(customer, { fromRevision: 5 })).map((e) => e.revision)).toEqual([5, 6]);
      expect(await store.readStream(uniqueCustomer('nobody'))).toEqual([]);
    });

    describeIdempotencyAndRevisions(getStore);
    describeReplay(getStore);
    describeNewestFirstPages(getStore);

    it('visits every event exactly once, in order, when paging readAll with after', async () => {
      const customers = [uniqueCustomer('page-a'), uniqueCustomer('page-b')];
      const appended: string[] = [];
      for (let round = 0; round < 3; round++) {
        const batch = Array.from({ length: 9 }, (_, i) => newEvent(customers[i % 2]!));
        const outcomes = await store.append(batch);
        appended.push(...outcomes.map((o) => o.id));
        await waitForHead(store, lastOf(outcomes).position);
      }
      const { events, pages } = await readAllPages(store, {}, 7);
      expect(pages).toBeGreaterThan(4);
      expectStrictlyIncreasing(events.map((e) => e.position));
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const ours = events.filter((e) => customers.includes(e.customerId)).map((e) => e.id);
      expect(ours).toEqual(appended);
      const head = await store.headPosition();
      expect(head).toBe(lastOf(events).position);
      expect(await store.readAll({ after: head, limit: 10 })).toEqual([]);
    });

    it('filters readAll by types, customerId and occurredAt (inclusive), also while paging', async () => {
      const [a, b] = [uniqueCustomer('filter-a'), uniqueCustomer('filter-b')];
      const at = (day: number) => `2026-04-${String(day).padStart(2, '0')}T12:00:00.000Z`;
      const types = ['ContactLogged', 'NpsResponded', 'ComplaintReceived'];
      const batch = [1, 2, 3, 4, 5, 6].flatMap((day) => [
        newEvent(a, { type: types[day % 3]!, occurredAt: at(day) }),
        newEvent(b, { type: types[day % 3]!, occurredAt: at(day) }),
      ]);
      const outcomes = await store.append(batch);
      await waitForHead(store, lastOf(outcomes).position);
      const ids = (events: RecordedEvent[]) => events.map((e) => e.id);
      const expected = (keep: (e: AppendEvent) => boolean) => batch.filter(keep).map((e) => e.id);

      const ofA = await store.readAll({ customerId: a, limit: 100 });
      expect(ids(ofA)).toEqual(expected((e) => e.customerId === a));

      const wanted = ['NpsResponded', 'ComplaintReceived'];
      const typed = await store.readAll({ types: wanted, limit: 10_000 });
      expect(typed.every((e) => wanted.includes(e.type))).toBe(true);
      expect(ids(typed.filter((e) => e.customerId === a || e.customerId === b))).toEqual(
        expected((e) => wanted.includes(e.type)),
      );

      const from = new Date(at(2));
      const to = new Date(at(4));
      const windowed = await readAllPages(store, { customerId: b, from, to }, 1);
      expect(ids(windowed.events)).toEqual(
        expected((e) => e.customerId === b && e.occurredAt >= at(2) && e.occurredAt <= at(4)),
      );
      expect(windowed.events).toHaveLength(3);

      const combined = await store.readAll({ customerId: a, types: ['NpsResponded'], from, limit: 100 });
      expect(ids(combined)).toEqual(
        expected((e) => e.customerId === a && e.type === 'NpsResponded' && e.occurredAt >= at(2)),
      );
    });

    it('delivers existing, then newly appended events to subscribeAll, and stops on abort', async () => {
      const customer = uniqueCustomer('subscribe');
      const start = await store.headPosition();
      const existing = await store.append([newEvent(customer), newEvent(customer), newEvent(customer)]);
      const controller = new AbortController();
      const seen: RecordedEvent[] = [];
      const consumer = (async () => {
        for await (const batch of store.subscribeAll({
          after: start,
          batchSize: 2,
          signal: controller.signal,
        })) {
          expect(batch.length).toBeLessThanOrEqual(2);
          seen.push(...batch);
        }
      })();
      const ours = () => seen.filter((e) => e.customerId === customer).map((e) => e.id);
      await eventually(() => (ours().length >= 3 ? true : undefined), 'existing events');
      const later = await store.append([newEvent(customer), newEvent(customer)]);
      await eventually(() => (ours().length >= 5 ? true : undefined), 'new events');

      controller.abort();
      await expect(
        Promise.race([
          consumer.then(() => 'stopped'),
          new Promise((r) => setTimeout(() => r('hung'), 5_000)),
        ]),
      ).resolves.toBe('stopped');
      expect(ours()).toEqual([...existing, ...later].map((o) => o.id));
      expectStrictlyIncreasing(seen.map((e) => e.position));
    });

    describeConcurrentWriters(getStore);
  });
}
