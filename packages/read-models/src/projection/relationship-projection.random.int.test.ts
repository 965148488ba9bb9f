import { randomUUID } from 'node:crypto';
import { DEFAULT_TIER_POLICY, foldHistory, type PositionedEvent, statusIntervals } from '@crh/domain';
import type { AppendEvent, EventStore } from '@crh/event-store';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervalsOf } from '../queries/relationship-queries.ts';
import { createProjector } from '../runner/projection-runner.ts';
import { toPositionedEvents } from './customer-history.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const context = { timeZone: 'Europe/Amsterdam', policy: DEFAULT_TIER_POLICY };

function seeded(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

/** Random histories for a few customers, every kind of relationship event, sent in a shuffled order. */
function randomBook(random: () => number, customers: number, perCustomer: number): AppendEvent[] {
  const kinds: [string, () => object][] = [
    [
      'CustomerOnboarded',
      () => ({
        name: `N${Math.floor(random() * 9)}`,
        tier: 'key',
        accountManagerId: `am-${Math.floor(random() * 3)}`,
      }),
    ],
    ['ContactLogged', () => ({ channel: 'call', direction: 'outbound' })],
    ['ComplimentReceived', () => ({ channel: 'email' })],
    ['CustomerTierChanged', () => ({ tier: random() < 0.5 ? 'strategic' : 'long-tail' })],
    ['AccountManagerAssigned', () => ({ accountManagerId: `am-${Math.floor(random() * 3)}` })],
    ['CustomerChurned', () => ({})],
    ['CustomerReactivated', () => ({})],
    ['ComplaintReceived', () => ({ complaintId: `k${Math.floor(random() * 3)}`, channel: 'call' })],
    ['ComplaintResolved', () => ({ complaintId: `k${Math.floor(random() * 3)}` })],
    ['ComplaintReopened', () => ({ complaintId: `k${Math.floor(random() * 3)}` })],
    ['NpsResponded', () => ({ score: Math.floor(random() * 11) })],
  ];
  const events: AppendEvent[] = [];
  for (let c = 0; c < customers; c++) {
    for (let i = 0; i < perCustomer; i++) {
      const [type, data] = kinds[Math.floor(random() * kinds.length)]!;
      const day = Math.floor(random() * 120);
      events.push({
        id: randomUUID(),
        type,
        customerId: `rnd-${c}`,
        occurredAt: new Date(
          Date.UTC(2026, 0, 1) + day * 86_400_000 + Math.floor(random() * 86_400_000),
        ).toISOString(),
        data: data(),
      });
    }
  }
  return events.sort(() => random() - 0.5);
}

describe('relationships projection on random histories with late and re-sent events', () => {
  let database: PlatformTestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ({ pool, store } = database);
  });
  afterAll(() => database.close());

  it.each([1, 2, 3])('equals a fold of every event in occurrence order (seed %i)', async (seed) => {
    const random = seeded(seed);
    const events = randomBook(random, 12, 25).map((e) => ({ ...e, customerId: `${e.customerId}-s${seed}` }));
    const projector = createProjector({
      store,
      pool,
      logger: quiet,
      context,
      batchSize: 7,
    });
    // Send in small batches, project in between, and re-send some events as clients retry.
    for (let i = 0; i < events.length; i += 20) {
      const batch = events.slice(i, i + 20);
      const retried = events.slice(Math.max(0, i - 10), i).filter(() => random() < 0.3);
      await store.append([...batch, ...retried]);
      if (random() < 0.5) await projector.catchUp();
    }
    await projector.catchUp();

    const customers = [...new Set(events.map((e) => e.customerId))];
    const streams = await store.readStreams(customers);
    const { rows } = await pool.query<{ customer_id: string; fold: string }>(
      'select customer_id, fold from crh.rm_relationships where customer_id = any($1::text[])',
      [customers],
    );
    expect(rows).toHaveLength(customers.length);
    for (const row of rows) {
      const history: PositionedEvent[] = toPositionedEvents(streams.get(row.customer_id) ?? []);
      expect(history.length).toBe(25); // re-sent ids were recorded once
      expect(JSON.parse(row.fold), row.customer_id).toEqual(
        foldHistory(row.customer_id, history, 'Europe/Amsterdam'),
      );
      // Spliced batch by batch, the intervals equal those of the whole history derived at once.
      expect(await intervalsOf(pool, row.customer_id, null, null), row.customer_id).toEqual(
        statusIntervals(history, context),
      );
    }
  });

  it('built customer by customer over an existing log, equals the same derivation', async () => {
    const fresh = await openPlatformTestDatabase();
    try {
      const events = randomBook(seeded(9), 20, 30);
      await fresh.store.append(events);
      const projector = createProjector({
        store: fresh.store,
        pool: fresh.pool,
        logger: quiet,
        context,
        batchSize: 7,
      });
      await projector.catchUp();
      const customers = [...new Set(events.map((e) => e.customerId))];
      const streams = await fresh.store.readStreams(customers);
      for (const customerId of customers) {
        const history = toPositionedEvents(streams.get(customerId) ?? []);
        expect(await intervalsOf(fresh.pool, customerId, null, null), customerId).toEqual(
          statusIntervals(history, context),
        );
      }
      // The build covered the log in one go: nothing was announced, the checkpoint is the head.
      const { rows } = await fresh.pool.query(
        'select count(*)::int as n from crh.relationship_status_changes',
      );
      expect(rows[0].n).toBe(0);
      expect(await projector.checkpoint()).toBe(await fresh.store.headPosition());
    } finally {
      await fresh.close();
    }
  });
});
