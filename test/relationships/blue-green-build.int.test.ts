import { addDays } from '@crh/domain';
import { buildRelationships } from '@crh/read-models/rebuild';
import { createProjector } from '@crh/read-models/runner';
import { quietLogger } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultContext } from '../support/domain-oracle.ts';
import { randomHistory } from '../support/random-history.ts';
import { snapshot } from '../support/read-model-snapshot.ts';

// A rebuild builds new tables while the live projector goes on with the old
// ones, then swaps them in and applies what the projector did meanwhile:
// late events, new customers and a turned day. The swapped-in read models
// must be exactly the ones the live projector had, row for row.

const context = defaultContext('Europe/Amsterdam');
const START = '2026-01-01';
const NOW = new Date('2026-07-01T10:00:00Z');
const LATER = new Date('2026-07-03T10:00:00Z'); // two days on: the clock turns during the build

const shadowSchemas = async (pool: Pool) =>
  (await pool.query(`select 1 from pg_namespace where nspname = 'crh_next'`)).rowCount;

describe('a build swapped in while the live projector goes on', () => {
  let database: PlatformTestDatabase;
  let later: ReturnType<typeof randomHistory>['events'];

  beforeAll(async () => {
    database = await openPlatformTestDatabase(6);
    const history = randomHistory({
      seed: 4711,
      customers: 40,
      eventsPerCustomer: 24,
      startDay: START,
      days: 170,
      managers: 3,
      customerPrefix: 'bg-',
    });
    // Most of the book first; the rest (new customers, and late events of
    // known ones) arrives while the build runs.
    const order = history.sendOrder.events;
    const cut = Math.floor(order.length * 0.8);
    later = order.slice(cut);
    await database.store.append(order.slice(0, cut));
    await projectorAt(NOW).catchUp();
  }, 60_000);
  afterAll(() => database.close());

  const projectorAt = (at: Date) =>
    createProjector({
      store: database.store,
      pool: database.pool,
      logger: quietLogger,
      context,
      batchSize: 50,
      now: () => at,
    });

  it('leaves the old tables as they were when the build fails before the swap', async () => {
    const before = await snapshot(database.pool);
    const upTo = (await projectorAt(NOW).checkpoint())!;
    await expect(
      buildRelationships(database.pool, database.store, context, upTo, () => NOW, {
        force: true,
        beforeSwap: async () => {
          throw new Error('stopped before the swap');
        },
      }),
    ).rejects.toThrow('stopped before the swap');
    expect(await snapshot(database.pool)).toEqual(before);
    expect(await shadowSchemas(database.pool)).toBe(0);
  });

  it('equals the live read models row for row after catching up at the swap', async () => {
    const live = projectorAt(LATER);
    const upTo = (await live.checkpoint())!;
    let during: Record<string, string[]> | undefined;
    const built = await buildRelationships(database.pool, database.store, context, upTo, () => NOW, {
      force: true,
      beforeSwap: async () => {
        // What the live projector does meanwhile, on the old tables.
        await database.store.append(later);
        expect(await live.catchUp()).toBe(later.length); // turning the days first
        const { rows } = await database.pool.query(
          'select turned_day::text as day from crh.projection_checkpoints',
        );
        expect(rows).toEqual([{ day: addDays('2026-07-01', 2) }]);
        during = await snapshot(database.pool);
      },
    });
    expect(built).not.toBeNull();
    expect(built!.caughtUp).toBe(later.length);
    expect(built!.upTo).toBe(await database.store.headPosition());
    expect(await snapshot(database.pool)).toEqual(during);
    expect(await shadowSchemas(database.pool)).toBe(0);
    // And the projector goes on from there.
    expect(await live.catchUp()).toBe(0);
  });
});
