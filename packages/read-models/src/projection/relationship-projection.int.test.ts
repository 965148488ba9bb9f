import { DEFAULT_TIER_POLICY } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import { createPgPool } from '@crh/postgres';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intervalsOf, relationshipOn } from '../queries/relationship-queries.ts';
import { createProjector } from '../runner/projection-runner.ts';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import { historyFromStore } from './customer-history.ts';
import { applyRelationshipBatch } from './live-batch.ts';

const quiet = quietLogger;
const context = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };

describe('relationships projection on real PostgreSQL', () => {
  let database: PlatformTestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ({ pool, store } = database);
  });
  afterAll(() => database.close());

  const projector = (batchSize = 2) => createProjector({ store, pool, logger: quiet, context, batchSize });
  const event = testEvent;
  const row = async (customerId: string) =>
    (await pool.query('select * from crh.rm_relationships where customer_id = $1', [customerId])).rows[0];
  const intervals = (customerId: string) => intervalsOf(pool, customerId, null, null);
  const waitUntil = async (condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('parks events it cannot understand and goes on with the rest', async () => {
    await store.append([
      event('p-1', 'CustomerOnboarded', '2026-01-01T00:00:00.000Z', { name: 'P', accountManagerId: 'am-1' }),
      event('p-1', 'SomethingNobodyKnows', '2026-01-02T00:00:00.000Z', { x: 1 }),
      event('p-1', 'NpsResponded', '2026-01-03T00:00:00.000Z', { score: 'ten' }),
      event('p-1', 'ContactLogged', '2026-01-04T00:00:00.000Z', { channel: 'call', direction: 'outbound' }),
    ]);
    await projector().catchUp();
    const parked = await pool.query('select type, reason from crh.parked_events order by position');
    expect(parked.rows.map((r) => r.type)).toEqual(['SomethingNobodyKnows', 'NpsResponded']);
    expect(parked.rows.every((r) => r.reason.length > 0)).toBe(true);
    expect((await relationshipOn(pool, 'p-1', '2026-01-10'))?.lastContactAt).toBe('2026-01-04T00:00:00.000Z');
  });

  it('re-derives a customer from all its events, so a late earlier onboarding wins', async () => {
    await store.append([
      event('l-1', 'CustomerOnboarded', '2026-02-10T00:00:00.000Z', {
        name: 'Late',
        tier: 'long-tail',
        accountManagerId: 'am-9',
      }),
    ]);
    await projector().catchUp();
    expect(await relationshipOn(pool, 'l-1', '2026-02-10')).toMatchObject({
      tier: 'long-tail',
      accountManagerId: 'am-9',
    });
    expect(await relationshipOn(pool, 'l-1', '2026-02-09')).toBeNull();
    await store.append([
      event('l-1', 'CustomerOnboarded', '2026-02-01T00:00:00.000Z', {
        name: 'Early',
        tier: 'strategic',
        accountManagerId: 'am-1',
      }),
    ]);
    await projector().catchUp();
    // The first onboarding counts whole: from 1 Feb on, the later one changes nothing.
    expect(await relationshipOn(pool, 'l-1', '2026-02-10')).toMatchObject({
      name: 'Early',
      tier: 'strategic',
      accountManagerId: 'am-1',
    });
    expect((await intervals('l-1'))[0]).toMatchObject({ from: '2026-02-01', status: 'ACTIVE' });
  });

  it('applies only what the checkpoint does not cover: a batch delivered again changes nothing', async () => {
    await store.append([
      event('i-1', 'CustomerOnboarded', '2026-03-01T00:00:00.000Z', { name: 'I', accountManagerId: 'am-1' }),
      event('i-1', 'ComplaintReceived', '2026-03-02T00:00:00.000Z', { complaintId: 'c1', channel: 'email' }),
    ]);
    await projector().catchUp();
    await store.append([
      event('i-1', 'ContactLogged', '2026-04-01T00:00:00.000Z', { channel: 'call', direction: 'outbound' }),
    ]);
    await projector().catchUp();
    const before = await row('i-1');
    const intervalsBefore = await intervals('i-1');
    const checkpointBefore = await projector().checkpoint();
    // A stale projector, or a retry, delivers the first batch again.
    const stale = (await store.readStream('i-1')).slice(0, 2);
    const client = await pool.connect();
    try {
      await client.query('begin');
      const result = await applyRelationshipBatch(client, stale, context, historyFromStore(store));
      await client.query('commit');
      expect(result.applied).toBe(0);
    } finally {
      client.release();
    }
    expect({ ...(await row('i-1')), updated_at: null }).toEqual({ ...before, updated_at: null });
    expect(await intervals('i-1')).toEqual(intervalsBefore);
    expect(await projector().checkpoint()).toBe(checkpointBefore); // never moves back
    expect(intervalsBefore.at(-1)).toMatchObject({
      openComplaints: 1,
      lastContactAt: '2026-04-01T00:00:00.000Z',
    });
  });

  it('shares the partitions between projectors; one left alone takes them all', async () => {
    // Two pools: two sessions, as two processes have (locks are per session).
    const otherPool = createPgPool(database.url, { max: 4 });
    const first = new AbortController();
    const second = new AbortController();
    const byFirst: string[] = [];
    const bySecond: string[] = [];
    const runner = (p: Pool, into: string[]) =>
      createProjector({
        store,
        pool: p,
        logger: quiet,
        context,
        batchSize: 50,
        standbyCheckMs: 50,
        onCommitted: (result) => {
          into.push(...result.customers);
        },
      });
    const held = async () =>
      (
        await pool.query<{ pid: number; n: number }>(
          `select pid, count(*)::int as n from pg_locks where locktype = 'advisory' and objsubid = 2
            and objid < 1000 and database = (select oid from pg_database where datname = current_database())
            group by pid order by pid`,
        )
      ).rows.map((r) => r.n);
    const firstRun = runner(pool, byFirst).run(first.signal);
    const secondRun = runner(otherPool, bySecond).run(second.signal);
    try {
      await waitUntil(async () => (await held()).join() === '8,8'); // 16 partitions, half each
      const customers = Array.from({ length: 40 }, (_, i) => `share-${i}`);
      await store.append(
        customers.map((c) =>
          event(c, 'CustomerOnboarded', '2026-05-01T00:00:00.000Z', { name: c, accountManagerId: 'am-1' }),
        ),
      );
      await waitUntil(
        async () => (await row('share-39')) !== undefined && byFirst.length + bySecond.length >= 40,
      );
      // Each customer projected once, by one of them, and both did some.
      expect([...byFirst, ...bySecond].sort()).toEqual([...customers].sort());
      expect(byFirst.length).toBeGreaterThan(0);
      expect(bySecond.length).toBeGreaterThan(0);
      first.abort();
      await firstRun;
      await waitUntil(async () => (await held()).join() === '16'); // the second took them over
      await store.append([
        event('share-late', 'CustomerOnboarded', '2026-05-02T00:00:00.000Z', {
          name: 'L',
          accountManagerId: 'am-1',
        }),
      ]);
      await waitUntil(async () => bySecond.includes('share-late'));
    } finally {
      first.abort();
      second.abort();
      await Promise.all([firstRun, secondRun]);
      await otherPool.end();
    }
  });

  it('commits the checkpoint with the rows, and resumes from it', async () => {
    await store.append([
      event('r-1', 'CustomerOnboarded', '2026-04-01T00:00:00.000Z', { name: 'R', accountManagerId: 'am-1' }),
    ]);
    expect(await projector().catchUp()).toBe(1);
    expect(await projector().catchUp()).toBe(0); // a restarted projector has nothing left to do
    // Every partition's checkpoint is the head: each read the log to its end.
    const { rows } = await pool.query(
      'select distinct position from crh.projection_partitions where projection = $1',
      [RELATIONSHIPS_PROJECTION],
    );
    expect(rows.map((r) => r.position)).toEqual([await store.headPosition()]);
  });

  it('follows the log live and stops when aborted', async () => {
    const controller = new AbortController();
    const running = projector(50).run(controller.signal);
    await store.append([
      event('f-1', 'CustomerOnboarded', '2026-05-01T00:00:00.000Z', { name: 'F', accountManagerId: 'am-1' }),
    ]);
    await waitUntil(async () => (await row('f-1')) !== undefined);
    controller.abort();
    await running;
  });

  it('keeps any text a client sends intact through the COPY of intervals', async () => {
    const name = 'Tab\there, "quoted" {braces} back\\slash\nnew line \\N émoji 🌷';
    await store.append([
      event('copy-1', 'CustomerOnboarded', '2026-06-01T00:00:00.000Z', { name, accountManagerId: 'am\t1' }),
      event('copy-1', 'PromiseMade', '2026-06-01T01:00:00.000Z', {
        promiseId: 'p,1',
        description: 'call back',
        dueAt: '2026-06-02T00:00:00.000Z',
      }),
    ]);
    await projector().catchUp();
    expect(await relationshipOn(pool, 'copy-1', '2026-06-05')).toMatchObject({
      name,
      accountManagerId: 'am\t1',
      openPromiseDueAts: ['2026-06-02T00:00:00.000Z'],
    });
  });
});
