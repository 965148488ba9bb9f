import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminateSessions, until } from '../testing/ended-sessions.ts';
import { createPgPool } from './pool.ts';
import { LockLostError, whileHoldingLock } from './session-lock.ts';

// The outcome, handled from the start: a rejection while the test awaits something else is no 'unhandled' one.
const settled = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => value,
    (error: unknown) => error,
  );

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
});
