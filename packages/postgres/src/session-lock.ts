import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` while holding a PostgreSQL session advisory lock named `lock`,
 * so two processes never do it at once (two projectors, two relays of one
 * topic). Without a signal, waits for the lock; with one, stands by (calling
 * `onStandBy` once) and checks again every `standbyCheckMs` until the lock is
 * free (then works) or the signal aborts (then returns undefined).
 */
export async function whileHoldingLock<T>(
  pool: Pool,
  lock: string,
  signal: AbortSignal | null,
  work: () => Promise<T>,
  options: { standbyCheckMs?: number; onStandBy?: () => void } = {},
): Promise<T | undefined> {
  const holder: PoolClient = await pool.connect();
  try {
    if (signal === null) await holder.query('select pg_advisory_lock(hashtextextended($1, 0))', [lock]);
    else {
      let standingBy = false;
      for (;;) {
        const { rows } = await holder.query<{ ok: boolean }>(
          'select pg_try_advisory_lock(hashtextextended($1, 0)) as ok',
          [lock],
        );
        if (rows[0]!.ok) break;
        if (!standingBy) options.onStandBy?.();
        standingBy = true;
        await sleep(options.standbyCheckMs ?? 2000, signal);
        if (signal.aborted) return undefined;
      }
    }
    return await work();
  } finally {
    await holder.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lock]).catch(() => undefined);
    holder.release();
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
