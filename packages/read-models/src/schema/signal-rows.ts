import {
  type ComplaintRecord,
  DAY_COUNT_FIELDS,
  type LocalDate,
  type NpsAnswer,
  type PromiseRecord,
  type ScopedDayCounts,
  type ScopedDelight,
} from '@crh/domain';
import { type CopyValue, copyInto } from './copy-rows.ts';
import type { Queryable } from './interval-rows.ts';
import { medianSql } from './rule-sql.ts';

const COMPLAINT_COLUMNS = [
  'customer_id',
  'complaint_id',
  'account_manager_id',
  'received_at',
  'channel',
  'severity',
  'category',
  'acknowledged_at',
  'first_resolved_at',
  'hours_to_acknowledge',
  'hours_to_resolve',
  'updates',
  'reopenings',
  'open',
  'resolved_at',
  'longest_silence_hours',
  'longest_silence_from',
  'silent_since',
  'last_step_at',
  'beyond_repair',
  'gestures',
  'feedback_asked',
  'feedback_satisfied',
  'churned_after_resolution_at',
  'received_day',
  'received_manager',
  'acknowledged_day',
  'acknowledged_manager',
  'resolved_day',
  'resolved_manager',
  'open_periods',
];

const bool = (value: boolean | null): CopyValue => (value === null ? null : value ? 't' : 'f');

export const complaintRow = (c: ComplaintRecord): CopyValue[] => [
  c.customerId,
  c.complaintId,
  c.accountManagerId,
  c.receivedAt,
  c.channel,
  c.severity,
  c.category,
  c.acknowledgedAt,
  c.firstResolvedAt,
  c.hoursToAcknowledge,
  c.hoursToResolve,
  c.updates,
  c.reopenings,
  bool(c.open),
  c.resolvedAt,
  c.longestSilenceHours,
  c.longestSilenceFrom,
  c.silentSince,
  c.lastStepAt,
  bool(c.beyondRepair),
  c.gestures,
  bool(c.feedbackAsked),
  bool(c.feedbackSatisfied),
  c.churnedAfterResolutionAt,
  c.receivedDay,
  c.receivedManager,
  c.acknowledgedDay,
  c.acknowledgedManager,
  c.resolvedDay,
  c.resolvedManager,
  `{${c.openPeriods.map(([from, to]) => `[${from},${to ?? ''})`).join(',')}}`,
];

export const copyComplaints = (db: Queryable, rows: readonly CopyValue[][], schema = 'crh') =>
  rows.length === 0 ? Promise.resolve() : copyInto(db, `${schema}.rm_complaints`, COMPLAINT_COLUMNS, rows);

export const promiseRow = (p: PromiseRecord): CopyValue[] => [
  p.customerId,
  p.promiseId,
  p.accountManagerId,
  p.description,
  p.madeAt,
  p.dueAt,
  p.dueDay,
  p.dueManager,
  p.keptAt,
  p.cancelledAt,
  p.settled,
  p.settledAt,
];

export const copyPromises = (db: Queryable, rows: readonly CopyValue[][], schema = 'crh') =>
  rows.length === 0
    ? Promise.resolve()
    : copyInto(
        db,
        `${schema}.rm_promises`,
        [
          'customer_id',
          'promise_id',
          'account_manager_id',
          'description',
          'made_at',
          'due_at',
          'due_day',
          'due_manager',
          'kept_at',
          'cancelled_at',
          'settled',
          'settled_at',
        ],
        rows,
      );

export const answerRow = (a: NpsAnswer): CopyValue[] => [
  a.customerId,
  a.position,
  a.at,
  a.day,
  a.score,
  a.touchpoint,
  a.accountManagerId,
  a.tier,
  a.previousScore,
  a.nextDay,
];

export const copyAnswers = (db: Queryable, rows: readonly CopyValue[][], schema = 'crh') =>
  rows.length === 0
    ? Promise.resolve()
    : copyInto(
        db,
        `${schema}.rm_nps_answers`,
        [
          'customer_id',
          'position',
          'at',
          'day',
          'score',
          'touchpoint',
          'account_manager_id',
          'tier',
          'previous_score',
          'next_day',
        ],
        rows,
      );

/** rm_kpi_day_counts' count columns, in DAY_COUNT_FIELDS order. */
export const COUNT_COLUMNS = [
  'churned',
  'promoters',
  'passives',
  'detractors',
  'complaints_received',
  'complaints_resolved',
  'promises_due',
  'promises_kept_on_time',
  'delight_moments',
  'compliments',
] as const;
const RETAINED = DAY_COUNT_FIELDS.indexOf('retained');
/** A day's sums in DAY_COUNT_FIELDS order: the counts, then the retention level (a change, see rm_kpi_levels). */
export const DAY_SUM_COLUMNS = [...COUNT_COLUMNS, 'retained'] as const;

/**
 * Adds per-(scope, day) changes to the daily KPI sums: day counts to
 * rm_kpi_day_counts, the retention level to rm_kpi_levels. One statement each.
 */
export async function addDayCounts(db: Queryable, counts: ScopedDayCounts): Promise<void> {
  const scopes: string[] = [];
  const days: LocalDate[] = [];
  const columns: number[][] = DAY_COUNT_FIELDS.map(() => []);
  for (const [scope, byDay] of counts) {
    for (const [day, row] of byDay) {
      scopes.push(scope);
      days.push(day);
      for (let i = 0; i < row.length; i++) columns[i]!.push(row[i]!);
    }
  }
  if (scopes.length === 0) return;
  const countIndexes = COUNT_COLUMNS.map((_, i) => i);
  const hasCounts = countIndexes.map((i) => columns[i]!).some((c) => c.some((n) => n !== 0));
  if (hasCounts) {
    const list = COUNT_COLUMNS.join(', ');
    await db.query(
      `insert into crh.rm_kpi_day_counts as d (scope, day, ${list})
       select * from unnest($1::text[], $2::date[], ${COUNT_COLUMNS.map((_, i) => `$${i + 3}::int[]`).join(', ')})
       on conflict (scope, day) do update set ${COUNT_COLUMNS.map((c) => `${c} = d.${c} + excluded.${c}`).join(', ')}`,
      [scopes, days, ...countIndexes.map((i) => columns[i]!)],
    );
  }
  const retained = columns[RETAINED]!;
  if (retained.some((n) => n !== 0)) {
    await db.query(
      `insert into crh.rm_kpi_levels as l (scope, day, retained)
       select * from unnest($1::text[], $2::date[], $3::int[]) as t(scope, day, retained) where t.retained <> 0
       on conflict (scope, day) do update set retained = l.retained + excluded.retained`,
      [scopes, days, retained],
    );
  }
}

/** Adds per-(scope, employee, day) changes in delight moments. */
export async function addDelightDays(db: Queryable, changes: ScopedDelight): Promise<void> {
  const scopes: string[] = [];
  const actors: string[] = [];
  const days: LocalDate[] = [];
  const moments: number[] = [];
  for (const [scope, byActor] of changes) {
    for (const [actor, byDay] of byActor) {
      for (const [day, n] of byDay) {
        if (n === 0) continue;
        scopes.push(scope);
        actors.push(actor);
        days.push(day);
        moments.push(n);
      }
    }
  }
  if (actors.length === 0) return;
  await db.query(
    `insert into crh.rm_delight_days as d (scope, actor_id, day, moments)
     select * from unnest($1::text[], $2::text[], $3::date[], $4::int[])
     on conflict (scope, actor_id, day) do update set moments = d.moments + excluded.moments`,
    [scopes, actors, days, moments],
  );
}

/**
 * Per (scope, day): the median hours to acknowledge (or resolve) of the
 * complaints acknowledged (resolved) that day, counted for the organisation
 * and for their manager, each complaint read once. `onDays`: an SQL
 * date[] expression that limits the days (all days when absent).
 */
export const dayMediansSql = (
  step: 'acknowledged' | 'resolved',
  complaints = 'crh.rm_complaints',
  onDays?: string,
) => `
  select s.scope, c.${step}_day as day,
         ${medianSql(`c.hours_to_${step === 'acknowledged' ? 'acknowledge' : 'resolve'}`)} as m
  from ${complaints} c
  cross join lateral (values (''), (c.${step}_manager)) as s(scope)
  where c.${step}_manager is not null ${onDays ? `and c.${step}_day = any(${onDays})` : ''}
  group by 1, 2`;

/**
 * Recomputes the day's median hours to acknowledge and to resolve for the
 * given (scope, day) keys from the complaint rows; keys left without
 * complaints get null. A median cannot be kept as a running sum.
 */
export async function refreshMedians(db: Queryable, keys: ReadonlyMap<string, ReadonlySet<LocalDate>>) {
  const scopes: string[] = [];
  const days: LocalDate[] = [];
  for (const [scope, set] of keys) {
    for (const day of set) {
      scopes.push(scope);
      days.push(day);
    }
  }
  if (scopes.length === 0) return;
  await db.query(
    `with ack as (${dayMediansSql('acknowledged', undefined, '$2::date[]')}),
          res as (${dayMediansSql('resolved', undefined, '$2::date[]')})
     insert into crh.rm_kpi_day_counts as d (scope, day, median_hours_to_acknowledge, median_hours_to_resolve)
     select k.scope, k.day, ack.m, res.m
     from (select distinct * from unnest($1::text[], $2::date[]) as k(scope, day)) k
     left join ack on ack.scope = k.scope and ack.day = k.day
     left join res on res.scope = k.scope and res.day = k.day
     on conflict (scope, day) do update set
       median_hours_to_acknowledge = excluded.median_hours_to_acknowledge,
       median_hours_to_resolve = excluded.median_hours_to_resolve`,
    [scopes, days],
  );
}
