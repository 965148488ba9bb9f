import {
  addDays,
  type LocalDate,
  npsOf,
  ORGANISATION_SCOPE,
  RETENTION_DAYS,
  recentWindowStart,
} from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';

/** The daily KPIs for one day and one scope (docs/rules.md, "Daily KPIs", gives each meaning). */
export interface DailyKpis {
  date: LocalDate;
  activeCustomers: number;
  goingQuiet: number;
  neglected: number;
  churned: number;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
  complaintsReceived: number;
  complaintsResolved: number;
  openComplaints: number;
  medianHoursToAcknowledge: number | null;
  medianHoursToResolve: number | null;
  promisesDue: number;
  promisesKeptOnTime: number;
  delightMoments: number;
  compliments: number;
  retentionRate90d: number | null;
}

interface LevelRow {
  day: string;
  active: number;
  going_quiet: number;
  neglected: number;
  open_complaints: number;
  retained: number;
}

interface CountRow {
  day: string;
  churned: number;
  promoters: number;
  passives: number;
  detractors: number;
  complaints_received: number;
  complaints_resolved: number;
  promises_due: number;
  promises_kept_on_time: number;
  delight_moments: number;
  compliments: number;
  median_hours_to_acknowledge: number | null;
  median_hours_to_resolve: number | null;
}

/**
 * One row per day from `from` to `to` (inclusive), for the organisation or
 * one account manager. Two index range reads: the scope's level changes up
 * to `to` (summed as they come, so each day's level is a running total) and
 * its day counts from the start of the first day's NPS window. The 90-day
 * NPS window slides over the counts; retention divides the retained level
 * by the active level 90 days earlier.
 */
export async function dailyKpis(
  db: Queryable,
  from: LocalDate,
  to: LocalDate,
  accountManagerId: string | null,
): Promise<DailyKpis[]> {
  if (to < from) return [];
  const scope = accountManagerId ?? ORGANISATION_SCOPE;
  const windowStart = recentWindowStart(from);
  // One statement, so levels and counts come from one snapshot even while
  // a batch commits.
  const { rows: both } = await db.query<{ levels: LevelRow[] | null; counts: CountRow[] | null }>(
    `select
       (select json_agg(l order by l.day) from (
          select day::text, active, going_quiet, neglected, open_complaints, retained
          from crh.rm_kpi_levels where scope = $1 and day <= $2) l) as levels,
       (select json_agg(c order by c.day) from (
          select day::text, churned, promoters, passives, detractors, complaints_received, complaints_resolved,
                 promises_due, promises_kept_on_time, delight_moments, compliments,
                 median_hours_to_acknowledge, median_hours_to_resolve
          from crh.rm_kpi_day_counts where scope = $1 and day between $3 and $2) c) as counts`,
    [scope, to, windowStart],
  );
  const levels = { rows: both[0]?.levels ?? [] };
  const counts = { rows: both[0]?.counts ?? [] };
  const countsByDay = new Map(counts.rows.map((r) => [r.day, r]));

  // Levels: walk every day from the retention look-back on, keeping the
  // running totals; remember the active level for the days retention needs.
  const lookBack = addDays(from, -RETENTION_DAYS);
  const level = { active: 0, goingQuiet: 0, neglected: 0, openComplaints: 0, retained: 0 };
  const activeOn = new Map<LocalDate, number>();
  let next = 0;
  const rows = levels.rows;
  const advanceTo = (day: LocalDate) => {
    while (next < rows.length && rows[next]!.day <= day) {
      const r = rows[next++]!;
      level.active += r.active;
      level.goingQuiet += r.going_quiet;
      level.neglected += r.neglected;
      level.openComplaints += r.open_complaints;
      level.retained += r.retained;
    }
  };

  const window = { answers: 0, promoters: 0, passives: 0, detractors: 0 };
  const slide = (day: LocalDate, sign: number) => {
    const c = countsByDay.get(day);
    if (!c) return;
    window.promoters += sign * c.promoters;
    window.passives += sign * c.passives;
    window.detractors += sign * c.detractors;
    window.answers += sign * (c.promoters + c.passives + c.detractors);
  };
  for (let day = windowStart; day < from; day = addDays(day, 1)) slide(day, 1);

  for (let day = lookBack; day < from; day = addDays(day, 1)) {
    advanceTo(day);
    activeOn.set(day, level.active);
  }
  const result: DailyKpis[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    advanceTo(day);
    activeOn.set(day, level.active);
    slide(day, 1);
    const c = countsByDay.get(day);
    const before = activeOn.get(addDays(day, -RETENTION_DAYS)) ?? 0;
    activeOn.delete(addDays(day, -RETENTION_DAYS));
    result.push({
      date: day,
      activeCustomers: level.active,
      goingQuiet: level.goingQuiet,
      neglected: level.neglected,
      churned: c?.churned ?? 0,
      npsResponses: window.answers,
      promoters: window.promoters,
      passives: window.passives,
      detractors: window.detractors,
      nps: npsOf(window.promoters, window.detractors, window.answers),
      complaintsReceived: c?.complaints_received ?? 0,
      complaintsResolved: c?.complaints_resolved ?? 0,
      openComplaints: level.openComplaints,
      medianHoursToAcknowledge: c?.median_hours_to_acknowledge ?? null,
      medianHoursToResolve: c?.median_hours_to_resolve ?? null,
      promisesDue: c?.promises_due ?? 0,
      promisesKeptOnTime: c?.promises_kept_on_time ?? 0,
      delightMoments: c?.delight_moments ?? 0,
      compliments: c?.compliments ?? 0,
      retentionRate90d: before === 0 ? null : level.retained / before,
    });
    slide(recentWindowStart(day), -1);
  }
  return result;
}
