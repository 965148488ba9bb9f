import {
  isActiveStatus,
  type LocalDate,
  ORGANISATION_SCOPE,
  type RelationshipStatus,
  type ScopedDayCounts,
  type ScopedDelight,
} from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';
import { addDayCounts, addDelightDays, refreshMedians } from '../schema/signal-rows.ts';

// The organisation's and the managers' daily KPI rows are shared by every
// customer, so by every projector partition: two batches committing at once
// would meet on the same (scope, day) rows. A batch therefore collects its
// changes to them while it writes its customers' rows (which no other
// partition touches) and adds them at the very end, under one transaction
// lock: what is serialised is a few hundred upserts and the commit, not the
// batch. Taken in one order (this lock first), they cannot deadlock.

/** The transaction lock the shared KPI rows are written under (pg_advisory_xact_lock). */
const KPI_ROWS_LOCK = 'crh.read-models.kpi-rows';

/** What a batch changes in the shared daily KPI rows. */
export interface KpiChanges {
  /** Per scope and day: changes of the interval levels (active, going quiet, neglected, open complaints). */
  levels: ScopedDayCounts;
  /** Per scope and day: changes of the day counts and the retention level (DAY_COUNT_FIELDS). */
  counts: ScopedDayCounts;
  delight: ScopedDelight;
  /** The (scope, day) medians whose complaints changed. */
  medianKeys: Map<string, Set<LocalDate>>;
}

export const noKpiChanges = (): KpiChanges => ({
  levels: new Map(),
  counts: new Map(),
  delight: new Map(),
  medianKeys: new Map(),
});

/** The level columns of an interval, in the order `levels` holds them. */
export interface LevelInterval {
  from: LocalDate;
  to: LocalDate | null;
  status: RelationshipStatus;
  accountManagerId: string | null;
  openComplaints: number;
}

/**
 * Intervals written (+1) or deleted (-1) as changes of the daily levels: an
 * interval adds its status and open complaints on its first day and gives
 * them back on its end day, for the organisation and its manager (as the
 * rebuild sums them, see SignalBuild.addIntervals).
 */
export function addLevelChanges(
  levels: ScopedDayCounts,
  intervals: readonly LevelInterval[],
  sign: 1 | -1,
): void {
  for (const interval of intervals) {
    const change = [
      isActiveStatus(interval.status) ? sign : 0,
      interval.status === 'GOING_QUIET' ? sign : 0,
      interval.status === 'NEGLECTED' ? sign : 0,
      sign * interval.openComplaints,
    ];
    for (const scope of [ORGANISATION_SCOPE, interval.accountManagerId]) {
      if (scope === null) continue;
      addTo(levels, scope, interval.from, change, 1);
      if (interval.to !== null) addTo(levels, scope, interval.to, change, -1);
    }
  }
}

function addTo(
  levels: ScopedDayCounts,
  scope: string,
  day: LocalDate,
  change: readonly number[],
  sign: 1 | -1,
) {
  let byDay = levels.get(scope);
  if (!byDay) {
    byDay = new Map();
    levels.set(scope, byDay);
  }
  const sums = byDay.get(day);
  if (sums) for (let i = 0; i < change.length; i++) sums[i]! += sign * change[i]!;
  else byDay.set(day, sign === 1 ? [...change] : change.map((n) => -n));
}

/**
 * Writes a batch's changes to the shared KPI rows, last in its transaction,
 * under KPI_ROWS_LOCK (held until commit). Medians are recomputed under the
 * lock too: a concurrent batch's complaints are either committed (seen
 * here) or will recompute the same keys after this commit.
 */
export async function writeKpiChanges(db: Queryable, changes: KpiChanges): Promise<void> {
  const levelRows = rowsOf(changes.levels);
  if (
    levelRows.scopes.length === 0 &&
    changes.counts.size === 0 &&
    changes.delight.size === 0 &&
    changes.medianKeys.size === 0
  )
    return;
  await db.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [KPI_ROWS_LOCK]);
  if (levelRows.scopes.length > 0) {
    await db.query(
      `insert into crh.rm_kpi_levels as l (scope, day, active, going_quiet, neglected, open_complaints)
       select * from unnest($1::text[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[])
       order by 1, 2
       on conflict (scope, day) do update set
         active = l.active + excluded.active,
         going_quiet = l.going_quiet + excluded.going_quiet,
         neglected = l.neglected + excluded.neglected,
         open_complaints = l.open_complaints + excluded.open_complaints`,
      [levelRows.scopes, levelRows.days, ...levelRows.columns],
    );
  }
  await addDayCounts(db, changes.counts);
  await addDelightDays(db, changes.delight);
  await refreshMedians(db, changes.medianKeys);
}

/** The non-zero level changes as columns for unnest. */
function rowsOf(levels: ScopedDayCounts) {
  const scopes: string[] = [];
  const days: LocalDate[] = [];
  const columns: number[][] = [[], [], [], []];
  for (const [scope, byDay] of levels) {
    for (const [day, row] of byDay) {
      if (row.every((n) => n === 0)) continue;
      scopes.push(scope);
      days.push(day);
      for (let i = 0; i < 4; i++) columns[i]!.push(row[i]!);
    }
  }
  return { scopes, days, columns };
}
