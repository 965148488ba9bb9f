import type { LocalDate } from '@crh/domain';
import type { Queryable } from './interval-rows.ts';

/**
 * Locks the projection's checkpoint row for the rest of the transaction and
 * returns the turned day: the day announced statuses are as of. Batches and
 * day turns both start here, so they never interleave (also across
 * processes), and each sees the other's committed clock. `today` is only
 * used when the projection has no clock yet.
 */
export async function lockClock(db: Queryable, projection: string, today: LocalDate): Promise<LocalDate> {
  const { rows } = await db.query<{ turned_day: string }>(
    `insert into crh.projection_checkpoints (projection, turned_day) values ($1, $2)
     on conflict (projection) do update
       set turned_day = coalesce(crh.projection_checkpoints.turned_day, excluded.turned_day)
     returning turned_day::text`,
    [projection, today],
  );
  return rows[0]!.turned_day;
}
