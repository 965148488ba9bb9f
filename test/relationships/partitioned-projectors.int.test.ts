import type { AppendEvent } from '@crh/event-store';
import { createPgPool } from '@crh/postgres';
import { createProjector } from '@crh/read-models/runner';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '@crh/read-models/schema';
import { quietLogger } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { defaultContext } from '../support/domain-oracle.ts';
import { partitionLocks } from '../support/partition-locks.ts';
import { type HistoryEvent, randomHistory } from '../support/random-history.ts';
import { snapshotByEventIds } from '../support/read-model-snapshot.ts';

// Issue 18: the projection is partitioned by customer and projector
// processes share the partitions. Two of them, following the log while it is
// written (late events included), must leave exactly the read models one
// leaves; and when one dies, the other takes over its partitions within
// seconds and the read models are again those of one projector. Each
// projector has a pool of its own: a session each, as processes have.

const context = defaultContext('Europe/Amsterdam');
const NOW = new Date('2026-07-01T10:00:00Z');
const CHECK_MS = 100;

const history = randomHistory({
  seed: 1818,
  customers: 60,
  eventsPerCustomer: 14,
  startDay: '2026-01-01',
  days: 170,
  managers: 4,
  customerPrefix: 'part-',
});
const order = history.sendOrder.events;
const [first, second] = [
  order.slice(0, Math.floor(order.length * 0.7)),
  order.slice(Math.floor(order.length * 0.7)),
];

interface Running {
  pool: Pool;
  customers: Set<string>;
  stop: () => Promise<void>;
}

/** A projector following the log on a pool of its own (a process, as far as PostgreSQL can tell). */
function startProjector(database: PlatformTestDatabase, name: string): Running {
  const pool = createPgPool(database.url, { max: 4, applicationName: name });
  const customers = new Set<string>();
  const controller = new AbortController();
  const running = createProjector({
    store: database.store,
    pool,
    logger: quietLogger,
    context,
    batchSize: 40,
    standbyCheckMs: CHECK_MS,
    now: () => NOW,
    onCommitted: (result) => {
      for (const c of result.customers) customers.add(c);
    },
  }).run(controller.signal);
  return {
    pool,
    customers,
    stop: async () => {
      controller.abort();
      await running;
      await pool.end();
    },
  };
}

/** Appends in chunks of 25, as clients would, and returns the last position. */
async function send(database: PlatformTestDatabase, events: readonly HistoryEvent[]): Promise<string> {
  let last = '';
  for (let i = 0; i < events.length; i += 25) {
    for (const { position } of await database.store.append(events.slice(i, i + 25) as AppendEvent[]))
      if (position > last) last = position;
  }
  return last;
}

async function projectedUpTo(database: PlatformTestDatabase, position: string, withinMs = 30_000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const at = await readCheckpoint(database.pool, RELATIONSHIPS_PROJECTION);
    if (at !== null && at >= position) return;
    if (Date.now() > deadline) throw new Error(`projection at ${at}, not ${position}, after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const readModels = (database: PlatformTestDatabase) =>
  snapshotByEventIds(database.pool, async () => {
    const streams = await database.store.readStreams([...new Set(order.map((e) => e.customerId))]);
    return [...streams.values()].flat();
  });

/** Partitions held per projector session (by application name). */
const partitionsHeld = async (database: PlatformTestDatabase) =>
  Object.fromEntries((await partitionLocks(database.pool)).map((l) => [l.name, l.held]));

describe('projector processes sharing the partitions', () => {
  it('leave the read models one projector leaves, also when one of them dies', async () => {
    const alone = await openPlatformTestDatabase();
    const shared = await openPlatformTestDatabase();
    const single = startProjector(alone, 'projector-alone');
    const a = startProjector(shared, 'projector-a');
    const b = startProjector(shared, 'projector-b');
    try {
      // Both join, and the 16 partitions end up half each.
      await expect
        .poll(() => partitionsHeld(shared), { timeout: 10_000 })
        .toEqual({ 'projector-a': 8, 'projector-b': 8 });

      await projectedUpTo(alone, await send(alone, first));
      await projectedUpTo(shared, await send(shared, first));
      expect(await readModels(shared)).toEqual(await readModels(alone));
      // Both did part of the work, and no customer was projected by both.
      expect(a.customers.size).toBeGreaterThan(0);
      expect(b.customers.size).toBeGreaterThan(0);
      expect([...a.customers].filter((c) => b.customers.has(c))).toEqual([]);

      // One dies: its sessions end as a killed process's do.
      await shared.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'projector-b' and datname = current_database()`,
      );
      const died = Date.now();
      await b.stop().catch(() => undefined);
      await expect.poll(() => partitionsHeld(shared), { timeout: 10_000 }).toEqual({ 'projector-a': 16 });
      const takeoverMs = Date.now() - died;
      expect(takeoverMs).toBeLessThan(5_000);

      await projectedUpTo(alone, await send(alone, second));
      await projectedUpTo(shared, await send(shared, second));
      const afterwards = await readModels(alone);
      expect(await readModels(shared)).toEqual(afterwards);
      // Not a vacuous comparison: the book's intervals and signals are there.
      expect(afterwards['crh.rm_relationship_intervals']!.length).toBeGreaterThan(100);
      expect(afterwards['crh.rm_kpi_levels']!.length).toBeGreaterThan(10);
    } finally {
      await Promise.all([single.stop(), a.stop(), b.stop().catch(() => undefined)]);
      await Promise.all([alone.close(), shared.close()]);
    }
  }, 120_000);
});
