import type { LocalDate } from '@crh/domain';
import type { Queryable } from './interval-rows.ts';

export interface ProjectionClock {
  /** The day announced statuses are as of (the last day turned). */
  turnedDay: LocalDate;
  /** The position of the last applied batch. */
  position: string | null;
  /** What the read models were built with (see read-model-fingerprint.ts). */
  fingerprint: string | null;
}

/**
 * Locks the projection's checkpoint row for the rest of the transaction and
 * returns it. Batches and day turns both start here, so they never
 * interleave (also across processes), and each sees the other's committed
 * clock and checkpoint. `today` is only used when there is no clock yet.
 */
export async function lockClock(
  db: Queryable,
  projection: string,
  today: LocalDate,
): Promise<ProjectionClock> {
  const { rows } = await db.query<{
    turned_day: string;
    position: string | null;
    fingerprint: string | null;
  }>(
    `insert into crh.projection_checkpoints (projection, turned_day) values ($1, $2)
     on conflict (projection) do update
       set turned_day = coalesce(crh.projection_checkpoints.turned_day, excluded.turned_day)
     returning turned_day::text, position, fingerprint`,
    [projection, today],
  );
  const row = rows[0]!;
  return { turnedDay: row.turned_day, position: row.position, fingerprint: row.fingerprint };
}
