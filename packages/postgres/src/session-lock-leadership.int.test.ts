import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminateSessions, until } from '../testing/ended-sessions.ts';
import { createPgPool } from './pool.ts';
import { LockLostError, leadUntilAborted } from './session-lock.ts';

// Leadership taken again after the database ends the leader's sessions,
// three times. Cleanup is bounded so that a leader which does not stop shows
// as that, not as the test's timeout (it once did: a lock lost while being
// taken handed work a signal that had already fired).

/** Waits for cleanup at most `ms`, so a hang shows as this message rather than the test's timeout. */
const bounded = (promise: Promise<unknown>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms).unref(),
    ),
  ]);

describe("the session lock when the database ends the leader's sessions", () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  beforeAll(async () => {
    database = await createTestDatabase();
    admin = createPgPool(database.url, { max: 1, applicationName: 'crh-test-admin' });
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('leads again after the loss, and a second leader never runs at the same time', async () => {
    const pools = [0, 1].map((i) =>
      createPgPool(database.url, { max: 3, applicationName: `crh-test-lead-${i}` }),
    );
    const controller = new AbortController();
    let running = 0;
    let overlap = false;
    const starts: number[] = [];
    const faults: unknown[] = [];
    const leaders = pools.map((pool, i) =>
      leadUntilAborted(
        pool,
        'crh.test.lead',
        controller.signal,
        async (held) => {
          running++;
          if (running > 1) overlap = true;
          starts.push(i);
          await new Promise((resolve) => held.addEventListener('abort', resolve, { once: true }));
          running--;
        },
        {
          standbyCheckMs: 50,
          // A loss is also noticed by the heartbeat when the connection's
          // error event is slow to come (a loaded machine): fast here.
          heartbeatMs: 200,
          initialBackoffMs: 50,
          maxBackoffMs: 200,
          onFault: (error) => faults.push(error),
        },
      ),
    );
    try {
      await until(() => starts.length === 1, 'a leader');
      for (let round = 1; round <= 3; round++) {
        const leader = starts.at(-1)!;
        await terminateSessions(admin, `crh-test-lead-${leader}`);
        await until(() => starts.length === round + 1, `leadership taken again (round ${round})`);
      }
      expect(faults.length).toBeGreaterThanOrEqual(3);
      expect(faults.every((f) => f instanceof LockLostError)).toBe(true);
      expect(overlap).toBe(false);
    } finally {
      controller.abort();
      await bounded(Promise.all(leaders), 10_000, 'the leaders');
      await bounded(Promise.all(pools.map((p) => p.end())), 10_000, 'closing the pools');
    }
  });
});
