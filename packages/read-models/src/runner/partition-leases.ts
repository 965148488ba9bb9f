import { LockLostError } from '@crh/postgres';
import type { Pool, PoolClient } from 'pg';

// Which projector process applies which partitions. Every process holds,
// on one connection of its own, a shared "member" advisory lock and one
// exclusive advisory lock per partition it applies. Locks live as long as
// that connection: a process that dies (or loses its database connection)
// lets go of everything at once, and the others see it in pg_locks. Each
// process aims at a fair share, ceil(partitions / members): one above it
// lets go of its highest partitions between batches, one below it takes
// free ones. Nothing else coordinates them, and nothing has to: a partition
// is applied by whoever holds its lock, from its own checkpoint.

export interface PartitionLeases {
  /** The partitions this process holds, ascending. */
  held(): number[];
  /**
   * Lets go of partitions above the fair share and takes free ones up to
   * it; call between batches. True when the held set changed.
   */
  rebalance(): Promise<boolean>;
  /** Whether rebalance would change anything now (checked while following the log). */
  unbalanced(): Promise<boolean>;
  /** Waits for every partition's lock (a catch-up that applies them all). */
  takeAll(): Promise<void>;
  /** Aborts when the locks' connection fails: the partitions may be someone else's already. */
  lost: AbortSignal;
  /** Lets go of everything and returns the connection. */
  close(): Promise<void>;
}

/** The advisory-lock key of the members (the partitions are 0 … count-1). */
const MEMBER_KEY = -1;
const MEMBER_OID = 2 ** 32 - 1;

interface LockView {
  members: number;
  /** Partitions someone holds, this process included. */
  taken: Set<number>;
}

export async function openPartitionLeases(
  pool: Pool,
  projection: string,
  count: number,
  options: { heartbeatMs?: number } = {},
): Promise<PartitionLeases> {
  const holder: PoolClient = await pool.connect();
  const lost = new AbortController();
  const onLost = (error: unknown) => {
    if (!lost.signal.aborted) lost.abort(new LockLostError(`${projection} partitions`, error));
  };
  holder.on('error', onLost);
  const namespace = `crh.projector.${projection}`;
  const held = new Set<number>();
  // One statement at a time on the holder (heartbeats and lock calls share it).
  let queue: Promise<unknown> = Promise.resolve();
  const run = <T>(sql: string, params: unknown[]): Promise<T[]> => {
    const next = queue.then(() => holder.query(sql, params)).then((r) => r.rows as T[]);
    queue = next.catch(() => undefined);
    return next;
  };

  try {
    await run('set statement_timeout = 0', []);
    // Projectors before partitions took this lock exclusively to lead alone:
    // held shared by every partitioned one, the two never run at once (a
    // rolling upgrade waits here for the old process to stop).
    await run('select pg_advisory_lock_shared(hashtextextended($1, 0))', [namespace]);
    await run('select pg_advisory_lock_shared(hashtext($1), $2)', [namespace, MEMBER_KEY]);
  } catch (error) {
    holder.release(true);
    throw error;
  }

  // A beat without an answer for three intervals counts as a lost
  // connection: a network cut leaves the socket waiting, not failing.
  const beatMs = options.heartbeatMs ?? 5_000;
  let unanswered: number | null = null;
  const heartbeat = setInterval(() => {
    if (unanswered !== null) {
      if (Date.now() - unanswered > 3 * beatMs) onLost(new Error(`no answer for ${3 * beatMs} ms`));
      return;
    }
    unanswered = Date.now();
    run('select 1', []).then(() => {
      unanswered = null;
    }, onLost);
  }, beatMs);
  heartbeat.unref();

  async function view(): Promise<LockView> {
    // pg_locks shows the second key as an oid: -1 (the members) as 2^32 - 1.
    const rows = await run<{ key: number; mode: string }>(
      `select l.objid::bigint::float8 as key, l.mode from pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 2
          and l.database = (select oid from pg_database where datname = current_database())
          and l.classid = hashtext($1)::oid`,
      [namespace],
    );
    const members = rows.filter((r) => r.key === MEMBER_OID && r.mode === 'ShareLock').length;
    const taken = new Set(rows.filter((r) => r.key >= 0 && r.key < count).map((r) => r.key));
    return { members: Math.max(1, members), taken };
  }

  const share = (v: LockView) => Math.ceil(count / v.members);
  const free = (v: LockView) => [...Array(count).keys()].filter((p) => !v.taken.has(p));

  return {
    held: () => [...held].sort((a, b) => a - b),
    lost: lost.signal,
    async unbalanced() {
      const v = await view();
      const fair = share(v);
      return held.size > fair || (held.size < fair && free(v).length > 0);
    },
    async rebalance() {
      const v = await view();
      const fair = share(v);
      let changed = false;
      for (const partition of [...held].sort((a, b) => b - a)) {
        if (held.size <= fair) break;
        await run('select pg_advisory_unlock(hashtext($1), $2)', [namespace, partition]);
        held.delete(partition);
        changed = true;
      }
      for (const partition of free(v)) {
        if (held.size >= fair) break;
        const [row] = await run<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1), $2) as ok', [
          namespace,
          partition,
        ]);
        if (row?.ok) {
          held.add(partition);
          changed = true;
        }
      }
      return changed;
    },
    async takeAll() {
      for (let partition = 0; partition < count; partition++) {
        if (held.has(partition)) continue;
        await run('select pg_advisory_lock(hashtext($1), $2)', [namespace, partition]);
        held.add(partition);
      }
    },
    async close() {
      clearInterval(heartbeat);
      holder.off('error', onLost);
      if (lost.signal.aborted) return holder.release(true);
      const unlocked = await run('select pg_advisory_unlock_all()', []).then(
        () => run('reset statement_timeout', []).then(() => true),
        () => false,
      );
      held.clear();
      holder.release(!unlocked);
    },
  };
}
