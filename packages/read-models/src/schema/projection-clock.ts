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

/**
 * A batch's hold on the clock: the row shared for the rest of the
 * transaction (batches of several partitions run side by side; a day turn,
 * which locks it exclusively, waits for them and they for it). Creates the
 * clock when there is none yet.
 */
export async function shareClock(
  db: Queryable,
  projection: string,
  today: LocalDate,
): Promise<ProjectionClock> {
  const select = () =>
    db.query<{ turned_day: string | null; position: string | null; fingerprint: string | null }>(
      'select turned_day::text, position, fingerprint from crh.projection_checkpoints where projection = $1 for share',
      [projection],
    );
  let { rows } = await select();
  // Once, for the projection's first batch: no insert on every batch's path.
  if (rows.length === 0) {
    await db.query(
      `insert into crh.projection_checkpoints (projection, turned_day) values ($1, $2)
       on conflict (projection) do nothing`,
      [projection, today],
    );
    ({ rows } = await select());
  }
  const row = rows[0]!;
  return { turnedDay: row.turned_day ?? today, position: row.position, fingerprint: row.fingerprint };
}
