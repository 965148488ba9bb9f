import { READ_MODEL_TABLES } from '@crh/read-models/schema';
import type { Pool } from 'pg';

// What a rebuild must reproduce: the live read models compared with the ones
// built again from the log.

/**
 * Every read-model row (all-zero sums aside: a sum row of zero and no row
 * mean the same). Two marks are left out: quiet_until is the build's own,
 * and alerts_until says up to when the running projector has announced missed
 * deadlines: it moves with the clock at that projector's next check, whenever
 * that falls (a rebuild while the platform runs saw it move under it).
 */
export async function snapshot(pool: Pool): Promise<Record<string, string[]>> {
  const zeroRows: Record<string, string> = {
    'crh.rm_kpi_levels':
      'active = 0 and going_quiet = 0 and neglected = 0 and open_complaints = 0 and retained = 0',
    'crh.rm_kpi_level_months':
      'active = 0 and going_quiet = 0 and neglected = 0 and open_complaints = 0 and retained = 0',
    'crh.rm_kpi_day_counts': `churned = 0 and promoters = 0 and passives = 0 and detractors = 0
      and complaints_received = 0 and complaints_resolved = 0 and promises_due = 0 and promises_kept_on_time = 0
      and delight_moments = 0 and compliments = 0
      and median_hours_to_acknowledge is null and median_hours_to_resolve is null`,
    // Every read of it asks for moments > 0 (as its index does).
    'crh.rm_delight_days': 'moments = 0',
  };
  const tables: Record<string, string[]> = {};
  for (const table of [
    ...READ_MODEL_TABLES,
    'crh.parked_events',
    'crh.projection_checkpoints',
    'crh.projection_partitions',
  ]) {
    const skip = zeroRows[table] ? `where not (${zeroRows[table]})` : '';
    const { rows } = await pool.query<{ row: string }>(
      `select (to_jsonb(t) - 'updated_at' - 'parked_at' - 'quiet_until' - 'alerts_until')::text as row from ${table} t ${skip}`,
    );
    tables[table] = rows.map((r) => r.row).sort();
  }
  return tables;
}

/**
 * The read models with every log position replaced by the id of the event
 * it points at, and without the checkpoints (positions by nature): logs that
 * received the same events in another order, or in another database, give
 * other positions for the same events.
 */
export async function snapshotByEventIds(
  pool: Pool,
  readEvents: () => Promise<readonly { position: string; id: string }[]>,
): Promise<Record<string, string[]>> {
  const ids = new Map((await readEvents()).map((e) => [e.position, e.id]));
  const {
    'crh.projection_checkpoints': _checkpoint,
    'crh.projection_partitions': _partitions,
    ...tables
  } = await snapshot(pool);
  return Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [
      table,
      rows.map((row) => row.replace(/\b[0-9a-f]{32}\b/g, (hex) => `event:${ids.get(hex) ?? hex}`)).sort(),
    ]),
  );
}
