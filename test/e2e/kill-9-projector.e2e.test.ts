import { dirname } from 'node:path';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '@crh/read-models/schema';
import { createTestDatabase } from '@crh/testing';
import getPort from 'get-port';
import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import { runRebuild, sessionsGone } from '../support/crash-checks.ts';
import { partitionLocks } from '../support/partition-locks.ts';
import { randomHistory } from '../support/random-history.ts';
import { snapshot } from '../support/read-model-snapshot.ts';
import { kill9, type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

/** The log's last position, whatever readers may see yet. */
async function lastPosition(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ head: string }>(
    `select lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') as head
       from crh.events order by tx_id desc, position desc limit 1`,
  );
  return rows[0]!.head;
}

/** A projector process's environment over `url` (small batches: many commits to land a kill between). */
const projectorEnv = (url: string, auth: TestAuth, port: number) => ({
  DATABASE_URL: url,
  HOST: '127.0.0.1',
  CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
  PROJECTOR_PORT: String(port),
  PROJECTOR_BATCH_SIZE: '25',
});

const partitionsPerProcess = async (pool: Pool) => (await partitionLocks(pool)).map((l) => l.held);
const overallCheckpoint = (pool: Pool) => readCheckpoint(pool, RELATIONSHIPS_PROJECTION);

// The projector is killed with -9 twice while it works through a backlog of
// a few thousand events in small batches, and started again each time. Each
// batch commits its read-model rows with its checkpoint, so the restarted
// projector applies exactly the events after the checkpoint (none twice,
// none skipped), and once caught up the read models are the ones a rebuild
// from the log gives.
describe('projector killed with -9 while catching up', () => {
  it('resumes from its checkpoint: nothing applied twice, read models equal a rebuild', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-check' });
    const store = createPostgresEventStore({ pool });
    const auth = await openTestAuth();
    let projector: ServiceProcess | undefined;
    try {
      await store.migrate();
      const history = randomHistory({
        seed: 909,
        customers: 200,
        eventsPerCustomer: 20,
        startDay: '2026-02-02',
        days: 250,
        managers: 4,
        customerPrefix: 'k9p-',
      });
      const checkpoint = () => overallCheckpoint(pool);
      // Positions are (tx_id, position) in fixed-width hex: string order is log order.
      const eventsAfter = async (position: string | null) =>
        (
          await pool.query<{ n: number }>(
            `select count(*)::int as n from crh.events
              where $1::text is null
                 or lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') > $1`,
            [position],
          )
        ).rows[0]!.n;

      const port = await getPort();
      const env = projectorEnv(database.url, auth, port);
      // Started over an empty log (a log it finds full at its first start is
      // built in one go, not batch by batch), then the backlog arrives.
      projector = startService('projector', env);
      await waitFor(
        async () => {
          const { rows } = await pool
            .query<{ fingerprint: string | null }>(
              `select fingerprint from crh.projection_checkpoints where projection = 'relationships'`,
            )
            .catch(() => ({ rows: [] }));
          return rows[0]?.fingerprint ? true : undefined;
        },
        { what: 'the projector to take the empty log as its own' },
      );
      const order = history.sendOrder.events;
      // One transaction: the projector sees all of it at once and works it off 25 at a time.
      await store.append([...order, ...history.sendOrder.duplicates]);
      // The last event's position (store.headPosition() is the head readers
      // may see, which waits for transactions still running, the projector's too).
      const head = (
        await pool.query<{ head: string }>(
          `select lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') as head
             from crh.events order by tx_id desc, position desc limit 1`,
        )
      ).rows[0]!.head;
      expect(await eventsAfter(null)).toBe(order.length);

      // Two kills, each after the checkpoint moved on from where the last run started.
      let from: string | null = null;
      for (let kill = 0; kill < 2; kill++) {
        const start = from;
        await waitFor(
          async () => {
            const at = await checkpoint();
            return at !== null && (start === null || at > start) ? true : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 10, what: `the checkpoint to move (run ${kill + 1})` },
        );
        expect(await kill9(projector)).toBe('SIGKILL');
        await sessionsGone(pool, 'projector');
        from = await checkpoint();
        expect(from! < head, `killed before it caught up (kill ${kill + 1})`).toBe(true);
        projector = startService('projector', env);
      }

      // The last run applies what the last checkpoint had not covered, each event once.
      const remaining = await eventsAfter(from);
      expect(remaining).toBeGreaterThan(0);
      await waitFor(async () => ((await checkpoint()) === head ? true : undefined), {
        timeoutMs: 60_000,
        what: 'the projector to catch up',
      });
      const metrics = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: await auth.bearer('admin') },
        })
      ).text();
      const counter = (name: string) => Number(new RegExp(`^${name}{[^}]*} (\\d+)$`, 'm').exec(metrics)?.[1]);
      expect(counter('crh_projected_events_total') + counter('crh_parked_events_total')).toBe(remaining);
      expect(counter('crh_parked_events_total')).toBe(0);
      expect(await projector.stop(), projector.output().slice(-2000)).toBe(0);

      const live = await snapshot(pool);
      expect(live['crh.rm_relationships']).toHaveLength(200);
      await runRebuild(database.url, dirname(auth.settings.localKeyDir));
      expect(await snapshot(pool)).toEqual(live);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- projector ---\n${projector?.output().slice(-3000)}`, {
        cause: error,
      });
    } finally {
      await projector?.stop();
      await store.close();
      await pool.end();
      await database.drop();
    }
  });

  it('two projector processes: one killed with -9, the other takes its partitions and the read models equal a rebuild', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-check' });
    const store = createPostgresEventStore({ pool });
    const auth = await openTestAuth();
    const projectors: ServiceProcess[] = [];
    try {
      await store.migrate();
      const history = randomHistory({
        seed: 1818,
        customers: 200,
        eventsPerCustomer: 20,
        startDay: '2026-02-02',
        days: 250,
        managers: 4,
        customerPrefix: 'k9s-',
      });
      projectors.push(startService('projector', projectorEnv(database.url, auth, await getPort())));
      projectors.push(startService('projector', projectorEnv(database.url, auth, await getPort())));
      await waitFor(async () => ((await partitionsPerProcess(pool)).join() === '8,8' ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the two projectors to hold 8 partitions each',
      });
      await store.append([...history.sendOrder.events, ...history.sendOrder.duplicates]);
      const head = await lastPosition(pool);
      await waitFor(async () => ((await overallCheckpoint(pool)) !== null ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 10,
        what: 'both to commit batches',
      });
      expect((await overallCheckpoint(pool))! < head, 'killed before they caught up').toBe(true);
      expect(await kill9(projectors[1]!)).toBe('SIGKILL');
      const killed = Date.now();
      await waitFor(async () => ((await partitionsPerProcess(pool)).join() === '16' ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: 'the survivor to take all 16 partitions',
      });
      expect(Date.now() - killed).toBeLessThan(5_000);
      await waitFor(async () => ((await overallCheckpoint(pool)) === head ? true : undefined), {
        timeoutMs: 60_000,
        what: 'the survivor to catch up',
      });
      expect(await projectors[0]!.stop(), projectors[0]!.output().slice(-2000)).toBe(0);

      const live = await snapshot(pool);
      expect(live['crh.rm_relationships']).toHaveLength(200);
      await runRebuild(database.url, dirname(auth.settings.localKeyDir));
      expect(await snapshot(pool)).toEqual(live);
    } catch (error) {
      const output = projectors
        .map((p, i) => `--- projector ${i + 1} ---\n${p.output().slice(-2000)}`)
        .join('\n');
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    } finally {
      await Promise.all(projectors.map((p) => p.stop()));
      await store.close();
      await pool.end();
      await database.drop();
    }
  });
});
