import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from './pool.ts';
import { LockLostError, leadUntilAborted, whileHoldingLock } from './session-lock.ts';

// What a PostgreSQL restart or failover does to every session of a service.
async function terminateSessions(admin: pg.Pool, applicationName: string): Promise<number> {
  const { rowCount } = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
    [applicationName],
  );
  return rowCount ?? 0;
}

// The outcome, handled from the start: a rejection while the test awaits something else is no 'unhandled' one.
const settled = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => value,
    (error: unknown) => error,
  );

const until = async (probe: () => boolean, what: string) => {
  const deadline = Date.now() + 15_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the session lock when the database ends its sessions', () => {
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

  it('aborts the work, throws LockLostError and frees nothing twice; the process lives on', async () => {
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-lost' });
    try {
      let held: AbortSignal | undefined;
      const holding = settled(
        whileHoldingLock(pool, 'crh.test.lost', new AbortController().signal, async (signal) => {
          held = signal;
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          return 'done';
        }),
      );
      await until(() => held !== undefined, 'the lock');
      expect(await terminateSessions(admin, 'crh-test-lost')).toBe(1);
      expect(await holding).toBeInstanceOf(LockLostError);
      expect(held!.aborted).toBe(true);
      // The pool still works: the dead connection was discarded.
      expect((await pool.query<{ n: number }>('select 1 as n')).rows[0]!.n).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('does the same for a holder that waited for the lock without a signal (catch-up)', async () => {
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-quiet' });
    try {
      let held: AbortSignal | undefined;
      const holding = settled(
        whileHoldingLock(
          pool,
          'crh.test.quiet',
          null,
          async (signal) => {
            held = signal;
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          },
          { heartbeatMs: 100 },
        ),
      );
      await until(() => held !== undefined, 'the lock');
      // Without a listener for the client's own 'error' the process would crash here.
      await terminateSessions(admin, 'crh-test-quiet');
      expect(await holding).toBeInstanceOf(LockLostError);
    } finally {
      await pool.end();
    }
  });

  it('counts a holder connection that stops answering (a network cut) as lost, by its heartbeat', async () => {
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-silent' });
    let backend: number | undefined;
    try {
      let held: AbortSignal | undefined;
      const holding = settled(
        whileHoldingLock(
          pool,
          'crh.test.silent',
          new AbortController().signal,
          async (signal) => {
            held = signal;
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          },
          { heartbeatMs: 100 },
        ),
      );
      await until(() => held !== undefined, 'the lock');
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = current_database() and application_name = 'crh-test-silent'`,
      );
      backend = rows[0]!.pid;
      // The server process of the session stops (the server is local): no error, no answer.
      process.kill(backend, 'SIGSTOP');
      const started = Date.now();
      expect(String(await holding)).toMatch(/no answer on the lock's connection/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      if (backend !== undefined) process.kill(backend, 'SIGCONT');
      await admin.query('select pg_terminate_backend($1)', [backend ?? 0]).catch(() => undefined);
      await pool.end().catch(() => undefined);
    }
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
      await Promise.all(leaders);
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
