import { DEFAULT_TIER_POLICY } from '@crh/domain';
import { createLogger } from '@crh/observability';
import { batchChanges, type KeyedChange } from '@crh/read-models/projection';
import { createProjector, type Projector } from '@crh/read-models/runner';
import { testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeHub, createChangeHub } from './change-hub.ts';
import { SubscriberFellBehind } from './subscriber-queue.ts';

const logger = createLogger('hub-test', 'silent');

describe('the gateway change hub', () => {
  let database: PlatformTestDatabase;
  let hub: ChangeHub;
  let projector: Projector;
  const delivered: KeyedChange[][] = [];

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    hub = createChangeHub({
      store: database.store,
      db: database.pool,
      timeZone: 'UTC',
      logger,
      now: () => new Date('2026-04-10T12:00:00Z'),
      limits: { items: 5 },
    });
    projector = createProjector({
      store: database.store,
      pool: database.pool,
      logger,
      context: { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY },
      batchSize: 100,
      now: () => new Date('2026-04-10T12:00:00Z'),
      onCommitted: (result) => {
        delivered.push(batchChanges(result));
      },
    });
    await projector.catchUp(); // an empty log: everything after is news
  });
  afterAll(() => database.close());

  const project = async (...events: Parameters<typeof testEvent>[]) => {
    await database.store.append(events.map((e) => testEvent(...e)));
    await projector.catchUp();
    const changes = delivered.splice(0).flat();
    hub.deliver(changes.map((c) => c.value));
    await hub.settled();
    return changes;
  };

  it('reads an event too big to travel inline from the store, in its place in the order', async () => {
    const events = hub.events({ customerId: 'big-1', types: null, accountManagerId: null });
    const changes = await project(
      ['big-1', 'CustomerOnboarded', '2026-04-01T09:00:00Z', { name: 'Big', accountManagerId: 'am-1' }],
      [
        'big-1',
        'ContactLogged',
        '2026-04-02T09:00:00Z',
        { channel: 'call', direction: 'outbound', summary: 'x'.repeat(7_000) },
      ],
      ['big-1', 'ComplimentReceived', '2026-04-03T09:00:00Z', { channel: 'email' }],
    );
    expect(changes.map((c) => c.value.kind).slice(0, 3)).toEqual(['event', 'eventRef', 'event']);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await events.next()).value);
    expect(got.map((e) => [e.type, e.revision])).toEqual([
      ['CustomerOnboarded', 0],
      ['ContactLogged', 1],
      ['ComplimentReceived', 2],
    ]);
    expect((got[1]!.data as { summary: string }).summary).toHaveLength(7_000);
    await events.return?.();
  });

  it('emits KPIs only when they changed, and only to the scope they belong to', async () => {
    const mine = hub.dailyKpis('am-2');
    const others = hub.dailyKpis('am-3');
    await project([
      'k-1',
      'CustomerOnboarded',
      '2026-04-10T09:00:00Z',
      { name: 'K', accountManagerId: 'am-2' },
    ]);
    const first = await mine.next();
    expect(first.value).toMatchObject({ date: '2026-04-10', activeCustomers: 1 });
    // Told again with nothing changed: no second emission.
    hub.deliver([{ kind: 'kpis', scopes: ['am-2'] }]);
    await project(['k-1', 'ComplimentReceived', '2026-04-10T10:00:00Z', { channel: 'call' }]);
    expect((await mine.next()).value).toMatchObject({ compliments: 1 });
    await mine.return?.();
    // am-3 had nothing change: its queue is empty, so it has not been pushed to.
    const pending = Promise.race([
      others.next().then(() => 'emitted'),
      new Promise((r) => setTimeout(() => r('none'), 200)),
    ]);
    expect(await pending).toBe('none');
    await others.return?.();
    expect(hub.subscriptions()).toBe(0);
  });

  it('drops a subscriber that falls behind with an error, and keeps serving the others', async () => {
    const stalled = hub.statusChanges(null);
    const reading = hub.statusChanges('am-9');
    const change = (i: number) => ({
      kind: 'status',
      change: {
        customerId: `s-${i}`,
        accountManagerId: 'am-9',
        from: null,
        to: 'ACTIVE',
        day: '2026-04-10',
        at: '2026-04-10T12:00:00Z',
        cause: 'event',
      },
    });
    for (let i = 0; i < 4; i++) hub.deliver([change(i)]);
    await hub.settled();
    for (let i = 0; i < 4; i++) expect((await reading.next()).value.customerId).toBe(`s-${i}`);
    hub.deliver([change(4), change(5)]);
    await hub.settled();
    // The stalled one held 5 (its limit) and the 6th overflowed it.
    for (let i = 0; i < 5; i++) expect((await stalled.next()).value.customerId).toBe(`s-${i}`);
    await expect(stalled.next()).rejects.toBeInstanceOf(SubscriberFellBehind);
    expect((await reading.next()).value.customerId).toBe('s-4');
    expect((await reading.next()).value.customerId).toBe('s-5');
    await reading.return?.();
  });

  it('scopes events to books as of today with one lookup per delivered batch, whatever the subscribers', async () => {
    const managers = ['am-s1', 'am-s2', 'am-s3', 'am-s4', 'am-s5'];
    const onboard = managers.flatMap((m, i) =>
      [0, 1].map(
        (j) =>
          [
            `sc-${i}-${j}`,
            'CustomerOnboarded',
            '2026-04-01T09:00:00Z',
            { name: 'S', accountManagerId: m },
          ] as const,
      ),
    );
    await project(...onboard.map((e) => [...e] as Parameters<typeof testEvent>));
    const lookups: string[] = [];
    const counting = {
      query: (text: string, values?: unknown[]) => {
        if (text.includes('rm_relationship_intervals')) lookups.push(text);
        return database.pool.query(text, values);
      },
    } as typeof database.pool;
    const scoped = createChangeHub({
      store: database.store,
      db: counting,
      timeZone: 'UTC',
      logger,
      now: () => new Date('2026-04-10T12:00:00Z'),
    });
    // Ten subscribers per manager, and one reading everything.
    const subscribers = managers.flatMap((m) =>
      Array.from({ length: 10 }, () => ({
        manager: m,
        queue: scoped.events({ customerId: null, types: null, accountManagerId: m }),
      })),
    );
    const all = scoped.events({ customerId: null, types: null, accountManagerId: null });
    // One batch: an event for each customer, every book touched.
    await database.store.append(
      onboard.map(([id]) =>
        testEvent(id, 'ComplimentReceived', '2026-04-10T10:00:00Z', { channel: 'email' }),
      ),
    );
    await projector.catchUp();
    const changes = delivered.splice(0).flat();
    const events = changes.filter((c) => c.value.kind === 'event' || c.value.kind === 'eventRef');
    expect(events).toHaveLength(onboard.length);
    scoped.deliver(changes.map((c) => c.value));
    await scoped.settled();
    expect(lookups).toHaveLength(1);
    for (const { manager, queue } of subscribers) {
      const got = [];
      for (let i = 0; i < 2; i++) got.push((await queue.next()).value.customerId);
      const i = managers.indexOf(manager);
      expect(got).toEqual([`sc-${i}-0`, `sc-${i}-1`]);
    }
    for (let i = 0; i < onboard.length; i++) await all.next();
    // Nothing more is queued for anyone: a scoped subscriber got its book's two events only.
    for (const { queue } of subscribers) {
      const more = await Promise.race([
        queue.next().then(() => 'more'),
        new Promise((r) => setTimeout(() => r('none'), 20)),
      ]);
      expect(more).toBe('none');
      await queue.return?.();
    }
    await all.return?.();
    expect(scoped.subscriptions()).toBe(0);
  });

  it('ends every subscription when the feed outruns it, instead of queueing without end', async () => {
    const bounded = createChangeHub({
      store: database.store,
      db: database.pool,
      timeZone: 'UTC',
      logger,
      pendingLimit: 3,
    });
    const status = (i: number) => ({
      kind: 'status',
      change: {
        customerId: `p-${i}`,
        accountManagerId: 'am-p',
        from: null,
        to: 'ACTIVE',
        day: '2026-04-10',
        at: '2026-04-10T12:00:00Z',
        cause: 'event',
      },
    });
    const watcher = bounded.statusChanges(null);
    const reading = watcher.next();
    // Three changes wait for their turn; a fourth is one too many.
    bounded.deliver([status(0), status(1), status(2)]);
    bounded.deliver([status(3)]);
    await expect(reading).rejects.toBeInstanceOf(SubscriberFellBehind);
    await bounded.settled();
    expect(bounded.subscriptions()).toBe(0);
    // Under the bound again: a new subscriber is served.
    const again = bounded.statusChanges(null);
    bounded.deliver([status(4)]);
    expect((await again.next()).value.customerId).toBe('p-4');
    await again.return?.();
  });
});
