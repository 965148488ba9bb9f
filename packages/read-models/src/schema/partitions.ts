import type { Queryable } from './interval-rows.ts';

// The projection is partitioned by customer: every event of a customer goes
// to one partition, a stable hash of its id, so a customer's events are
// applied in order by whoever holds its partition, and partitions can be
// applied side by side (by one process or several). Each partition keeps
// its own checkpoint: the log position up to which its customers' events
// are applied (events of other partitions in between are simply passed).

/** Partitions of a new projection (PROJECTOR_PARTITIONS); an existing one keeps its count. */
export const DEFAULT_PARTITIONS = 16;

/**
 * The partition of a customer: FNV-1a (32 bits) of its id, modulo the count.
 * Written out rather than taken from a library because it must never change
 * (stored checkpoints depend on it) and costs a few nanoseconds per event.
 */
export function partitionOf(customerId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/**
 * The projection's partition count, creating its partitions when it has
 * none yet (`wanted` of them, each starting at the checkpoint of before, so
 * an upgraded deployment goes on where it was). Concurrent callers agree:
 * the rows of the first one to commit count.
 */
export async function ensurePartitions(db: Queryable, projection: string, wanted: number): Promise<number> {
  await db.query(
    `insert into crh.projection_partitions (projection, partition, position)
     select $1, p, (select position from crh.projection_checkpoints where projection = $1)
     from generate_series(0, $2::int - 1) p
     where not exists (select 1 from crh.projection_partitions where projection = $1)
     on conflict do nothing`,
    [projection, wanted],
  );
  const { rows } = await db.query<{ n: number }>(
    'select count(*)::int as n from crh.projection_partitions where projection = $1',
    [projection],
  );
  return rows[0]!.n;
}

/** Each partition's checkpoint (null: nothing applied yet). */
export async function readPartitionCheckpoints(
  db: Queryable,
  projection: string,
): Promise<Map<number, string | null>> {
  const { rows } = await db.query<{ partition: number; position: string | null }>(
    'select partition, position from crh.projection_partitions where projection = $1 order by partition',
    [projection],
  );
  return new Map(rows.map((r) => [r.partition, r.position]));
}

/**
 * Locks the given partitions' checkpoint rows for the rest of the
 * transaction and returns them: two processes that both think they hold a
 * partition (one lost its lock a moment ago) apply it one after the other,
 * and the second skips what the first applied.
 */
export async function lockPartitionCheckpoints(
  db: Queryable,
  projection: string,
  partitions: readonly number[],
): Promise<Map<number, string | null>> {
  const { rows } = await db.query<{ partition: number; position: string | null }>(
    `select partition, position from crh.projection_partitions
      where projection = $1 and partition = any($2::int[]) order by partition for update`,
    [projection, partitions],
  );
  return new Map(rows.map((r) => [r.partition, r.position]));
}

/** Moves the partitions' checkpoints to `position` (never back). */
export async function writePartitionCheckpoints(
  db: Queryable,
  projection: string,
  partitions: readonly number[],
  position: string,
): Promise<void> {
  await db.query(
    `update crh.projection_partitions set position = $3, updated_at = now()
      where projection = $1 and partition = any($2::int[]) and (position is null or position < $3 collate "C")`,
    [projection, partitions, position],
  );
}

/** Sets every partition's checkpoint (a build that replaced the read models up to `position`). */
export async function resetPartitionCheckpoints(
  db: Queryable,
  projection: string,
  position: string | null,
): Promise<void> {
  await db.query(
    'update crh.projection_partitions set position = $2, updated_at = now() where projection = $1',
    [projection, position],
  );
}
