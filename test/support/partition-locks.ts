import type { Pool } from 'pg';

/**
 * The projection's partition locks (see packages/read-models/src/runner/
 * partition-leases.ts), per projector session: its backend, its application
 * name and how many partitions it holds, fewest first.
 */
export async function partitionLocks(pool: Pool): Promise<{ pid: number; name: string; held: number }[]> {
  const { rows } = await pool.query<{ pid: number; name: string; held: number }>(
    `select l.pid, a.application_name as name, count(*)::int as held
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2
        and l.classid = hashtext('crh.projector.relationships')::oid and l.objid < 2147483648
        and l.database = (select oid from pg_database where datname = current_database())
      group by 1, 2 order by 3, 1`,
  );
  return rows;
}
