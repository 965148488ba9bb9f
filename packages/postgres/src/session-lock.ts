import type { Pool, PoolClient } from 'pg';
import { createBackoff } from './backoff.ts';

/** The session that held the lock ended (server restart, failover, terminated backend). */
export class LockLostError extends Error {
  constructor(lock: string, cause: unknown) {
    super(
      `lost the session lock ${lock}: its connection failed (${cause instanceof Error ? cause.message : String(cause)})`,
      { cause },
    );
    this.name = 'LockLostError';
  }
}

export interface HoldOptions {
  /** How often a process standing by checks whether the lock is free; default 2 s. */
  standbyCheckMs?: number;
  onStandBy?: () => void;
  /**
   * How often the holder's connection is checked while working; default 5 s.
   * A connection that died quietly (no error from the server, e.g. a
   * network cut) is noticed here, within the pool's timeouts.
   */
  heartbeatMs?: number;
}

/**
 * Runs `work` while holding a PostgreSQL session advisory lock named `lock`,
 * so two processes never do it at once (two projectors, two relays of one
 * topic). Without a signal, waits for the lock; with one, stands by (calling
 * `onStandBy` once) and checks again every `standbyCheckMs` until the lock is
 * free (then works) or the signal aborts (then returns undefined).
 *
 * The lock lives as long as the holder's connection. If that connection
 * fails, another process may take the lock at once: `work`'s signal aborts
 * (work must stop starting new things), and when work returns this throws
 * LockLostError. What work commits after the loss must be safe by itself
 * (the projector's batches check the checkpoint row they lock).
 */
export async function whileHoldingLock<T>(
  pool: Pool,
  lock: string,
  signal: AbortSignal | null,
  work: (held: AbortSignal) => Promise<T>,
  options: HoldOptions = {},
): Promise<T | undefined> {
  const holder: PoolClient = await pool.connect();
  const lost = new AbortController();
  const onLost = (error: unknown) => {
    if (!lost.signal.aborted) lost.abort(new LockLostError(lock, error));
  };
  holder.on('error', onLost);
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    // A wait for the lock may outlast any statement timeout.
    await holder.query('set statement_timeout = 0');
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
    // A beat that gets no answer for three intervals counts as a lost
    // connection too: a network cut leaves the socket waiting, not failing.
    const beatMs = options.heartbeatMs ?? 5_000;
    let unanswered: number | null = null;
    heartbeat = setInterval(() => {
      if (unanswered !== null) {
        if (Date.now() - unanswered > 3 * beatMs)
          onLost(new Error(`no answer on the lock's connection for ${3 * beatMs} ms`));
        return;
      }
      unanswered = Date.now();
      holder.query('select 1').then(() => {
        unanswered = null;
      }, onLost);
    }, beatMs);
    heartbeat.unref();
    // Lost while the lock was being taken: work would be handed a signal that
    // already fired, and an abort listener it adds would never be called.
    if (lost.signal.aborted) throw lost.signal.reason;
    const held = signal ? AbortSignal.any([signal, lost.signal]) : lost.signal;
    if (held.aborted) return undefined;
    const result = await work(held);
    if (lost.signal.aborted) throw lost.signal.reason;
    return result;
  } catch (error) {
    // Work that failed because the lock's connection went: say so.
    throw lost.signal.aborted ? lost.signal.reason : error;
  } finally {
    clearInterval(heartbeat);
    if (lost.signal.aborted) holder.release(true);
    else {
      const unlocked = await holder
        .query('select pg_advisory_unlock(hashtextextended($1, 0))', [lock])
        .then(() => holder.query('reset statement_timeout'))
        .then(
          () => true,
          () => false,
        );
      holder.release(!unlocked);
    }
    holder.off('error', onLost);
  }
}

/**
 * Leads until the signal aborts: takes the lock (standing by while another
 * process holds it) and runs `work`; when the lock's connection fails or the
 * database cannot be reached, backs off (exponential, jittered, capped) and
 * takes the lock again. `work` must go on from durable state (a checkpoint)
 * each time it starts, and return when its signal aborts.
 */
export async function leadUntilAborted(
  pool: Pool,
  lock: string,
  signal: AbortSignal,
  work: (held: AbortSignal) => Promise<void>,
  options: HoldOptions & {
    onFault?: (error: unknown, retryInMs: number) => void;
    initialBackoffMs?: number;
    maxBackoffMs?: number;
  } = {},
): Promise<void> {
  const backoff = createBackoff({ initialMs: options.initialBackoffMs, maxMs: options.maxBackoffMs });
  while (!signal.aborted) {
    try {
      await whileHoldingLock(
        pool,
        lock,
        signal,
        (held) => {
          backoff.reset();
          return work(held);
        },
        options,
      );
      return; // aborted, or work ended by itself
    } catch (error) {
      if (signal.aborted) return;
      const delay = backoff.next();
      options.onFault?.(error, delay);
      await sleep(delay, signal);
    }
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
