import type { PoolClient } from 'pg';

type Queryable = Pick<PoolClient, 'query'>;

/** The checkpoint (and projection clock) row of the relationship read models. */
export const RELATIONSHIPS_PROJECTION = 'relationships';

/**
 * How far the projection has applied the log: the lowest of its partitions'
 * checkpoints (null while one has applied nothing), or before it has
 * partitions, the checkpoint of before.
 */
export async function readCheckpoint(db: Queryable, projection: string): Promise<string | null> {
  const { rows } = await db.query<{ position: string | null }>(
    `select case
       when count(*) = 0 then (select position from crh.projection_checkpoints where projection = $1)
       when count(position) < count(*) then null
       else min(position collate "C") end as position
     from crh.projection_partitions where projection = $1`,
    [projection],
  );
  return rows[0]?.position ?? null;
}

export async function writeCheckpoint(db: Queryable, projection: string, position: string): Promise<void> {
  await db.query(
    `insert into crh.projection_checkpoints (projection, position, updated_at) values ($1, $2, now())
     on conflict (projection) do update set position = excluded.position, updated_at = now()`,
    [projection, position],
  );
}
