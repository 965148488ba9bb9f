import { type LocalDate, type Measured, recentWindowStart } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';
import { monthOfSql } from '../schema/level-months.ts';
import { overdueSpanSql } from '../schema/rule-sql.ts';

export const OUTLIER_METRICS = [
  'NEGLECTED_SHARE',
  'OVERDUE_PROMISES',
  'NPS_DROP',
  'LONGEST_OPEN_COMPLAINT',
] as const;
export type OutlierMetric = (typeof OUTLIER_METRICS)[number];

/** What each metric compares: account managers with each other, or customers. */
export const OUTLIER_SUBJECT: Record<OutlierMetric, MeasuredSubject['kind']> = {
  NEGLECTED_SHARE: 'ACCOUNT_MANAGER',
  OVERDUE_PROMISES: 'ACCOUNT_MANAGER',
  NPS_DROP: 'CUSTOMER',
  LONGEST_OPEN_COMPLAINT: 'CUSTOMER',
};

export interface MeasuredSubject extends Measured {
  kind: 'ACCOUNT_MANAGER' | 'CUSTOMER';
  customerId: string | null;
  accountManagerId: string | null;
  /** What the value counts, for people. */
  detail: string;
}

/**
 * A metric over its subjects as of the end of a day: every subject's value,
 * and the subjects themselves only where the ranking may need them (see
 * `outliersAmong`): the customer metrics have tens of thousands of subjects,
 * and sending each as a row costs more than finding them.
 */
export interface Measurement {
  /** Every subject's value, in no particular order. */
  values: Float64Array;
  /** At least the subjects with the `limit` largest values (ties at the cut: the smallest ids). */
  subjects: MeasuredSubject[];
}

export interface MeasureOptions {
  /** Only the customers in this account manager's book as of the day (customer metrics); null: everyone. */
  manager: string | null;
  /** How many outliers the caller ranks. */
  limit: number;
}

/**
 * A metric as of the end of `day` (`at`: that instant, or now while the day
 * runs). The caller ranks the subjects (outliersAmong).
 */
export async function measure(
  db: Queryable,
  metric: OutlierMetric,
  day: LocalDate,
  at: string,
  options: MeasureOptions,
): Promise<Measurement> {
  switch (metric) {
    case 'NEGLECTED_SHARE':
      return everyOne(await neglectedShare(db, day));
    case 'OVERDUE_PROMISES':
      return everyOne(await overduePromises(db, day, at));
    case 'NPS_DROP':
      return npsDrops(db, day, options);
    case 'LONGEST_OPEN_COMPLAINT':
      return openComplaintAges(db, day, at, options);
  }
}

/** A few hundred managers: each one is sent. */
function everyOne(subjects: MeasuredSubject[]): Measurement {
  const values = new Float64Array(subjects.length);
  for (let i = 0; i < subjects.length; i++) values[i] = subjects[i]!.value;
  return { values, subjects };
}

/**
 * Managers with active customers on the day: NEGLECTED / active, from the
 * level sums, the months before the day's and then its days (level-months.ts).
 */
async function managerLevels(db: Queryable, day: LocalDate) {
  const { rows } = await db.query<{ scope: string; active: number; neglected: number }>(
    `select scope, sum(active)::int as active, sum(neglected)::int as neglected from (
       select scope, active, neglected from crh.rm_kpi_level_months
       where scope <> '' and month < ${monthOfSql('$1::date')}
       union all
       select scope, active, neglected from crh.rm_kpi_levels
       where scope <> '' and day >= ${monthOfSql('$1::date')} and day <= $1::date
     ) levels
     group by scope having sum(active) > 0`,
    [day],
  );
  return rows;
}

async function neglectedShare(db: Queryable, day: LocalDate): Promise<MeasuredSubject[]> {
  return (await managerLevels(db, day)).map((r) => ({
    id: r.scope,
    value: r.neglected / r.active,
    kind: 'ACCOUNT_MANAGER',
    customerId: null,
    accountManagerId: r.scope,
    detail: `${r.neglected} of ${r.active} active relationships NEGLECTED`,
  }));
}

/**
 * Per manager (as of each promise's due day), promises overdue at `at`:
 * those whose overdue span holds it, found by its GiST index (migration 008).
 */
async function overdueByManager(db: Queryable, at: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ manager: string; overdue: number }>(
    `select coalesce(due_manager, account_manager_id) as manager, count(*)::int as overdue
     from crh.rm_promises
     where ${overdueSpanSql()} @> $1::timestamptz and made_at <= $1
     group by 1`,
    [at],
  );
  return new Map(rows.map((r) => [r.manager, r.overdue]));
}

/** Managers without any overdue promise count 0. */
async function overduePromises(db: Queryable, day: LocalDate, at: string): Promise<MeasuredSubject[]> {
  return (await managerBooks(db, day, at)).map((m) => ({
    id: m.accountManagerId,
    value: m.overduePromises,
    kind: 'ACCOUNT_MANAGER',
    customerId: null,
    accountManagerId: m.accountManagerId,
    detail: `${m.overduePromises} promises overdue`,
  }));
}

export interface ManagerBook {
  accountManagerId: string;
  activeRelationships: number;
  neglected: number;
  overduePromises: number;
}

/** Every manager with active customers at the end of `day`, by id: the figures the manager outliers rank. */
export async function managerBooks(db: Queryable, day: LocalDate, at: string): Promise<ManagerBook[]> {
  const [managers, overdue] = await Promise.all([managerLevels(db, day), overdueByManager(db, at)]);
  return managers
    .map((m) => ({
      accountManagerId: m.scope,
      activeRelationships: m.active,
      neglected: m.neglected,
      overduePromises: overdue.get(m.scope) ?? 0,
    }))
    .sort((a, b) => (a.accountManagerId < b.accountManagerId ? -1 : 1));
}

/**
 * The customer subjects as one row: every value as text (float8's shortest
 * exact form, so it parses to the same number as the JSON of the top rows),
 * and the `limit` largest as JSON, ties ordered by id (`id`, an expression
 * over the subjects' columns) as the ranking orders them. `subjects` is the
 * metric's query, with a `value` column.
 */
async function customerMeasurement<Row extends { value: number }>(
  db: Queryable,
  subjects: string,
  id: string,
  params: unknown[],
  limit: number,
  toSubject: (row: Row) => MeasuredSubject,
): Promise<Measurement> {
  params.push(limit);
  const { rows } = await db.query<{ values: string | null; top: Row[] }>(
    `with subjects as materialized (${subjects})
     select (select string_agg(value::text, ',') from subjects) as values,
            (select coalesce(json_agg(t), '[]') from (
               select * from subjects order by value desc, (${id}) collate "C" limit $${params.length}) t) as top`,
    params,
  );
  const text = rows[0]?.values ?? null;
  const parts = text === null ? [] : text.split(',');
  const values = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) values[i] = Number(parts[i]);
  return { values, subjects: (rows[0]?.top ?? []).map(toSubject) };
}

/**
 * Customers in the account manager's book as of `$day` (the by-manager
 * index answers it alone), or every customer when `$manager` is null.
 */
const inBookOn = (customer: string, day: string, manager: string) =>
  `(${manager}::text is null or ${customer} in (
     select customer_id from crh.rm_relationship_intervals
     where account_manager_id = ${manager} and from_day <= ${day}::date and coalesce(to_day, 'infinity') > ${day}::date))`;

/**
 * Customers who answered in the 90-day window: the previous answer minus the
 * latest one. An answer is the customer's latest on days [day, next_day), so
 * the latest ones as of `day` are those of the window whose next answer, if
 * any, came after it: one index range (migration 008), no sort.
 */
function npsDrops(db: Queryable, day: LocalDate, options: MeasureOptions): Promise<Measurement> {
  return customerMeasurement<{
    customer_id: string;
    manager: string;
    score: number;
    previous: number;
    value: number;
  }>(
    db,
    `select customer_id, account_manager_id as manager, score, previous_score as previous,
            previous_score - score as value
     from crh.rm_nps_answers
     where previous_score is not null and day between $2 and $1 and (next_day is null or next_day > $1)
       and ${inBookOn('customer_id', '$1', '$3')}`,
    'customer_id',
    [day, recentWindowStart(day), options.manager],
    options.limit,
    (r) => ({
      id: r.customer_id,
      value: r.value,
      kind: 'CUSTOMER',
      customerId: r.customer_id,
      accountManagerId: r.manager,
      detail: `NPS answer ${r.previous} then ${r.score}`,
    }),
  );
}

/**
 * Complaints open at `at`, by hours since their receipt. Their open periods
 * start at the receipt at the earliest, so an open one was received by `at`:
 * the GiST index on open_periods (migration 008) is the whole search.
 */
function openComplaintAges(
  db: Queryable,
  day: LocalDate,
  at: string,
  options: MeasureOptions,
): Promise<Measurement> {
  return customerMeasurement<{
    customer_id: string;
    complaint_id: string;
    manager: string;
    value: number;
  }>(
    db,
    // date_part, not extract: float8 arithmetic, not numeric, for every open complaint.
    `select customer_id, complaint_id, account_manager_id as manager,
            date_part('epoch', $1::timestamptz - received_at) / 3600 as value
     from crh.rm_complaints where open_periods @> $1::timestamptz and ${inBookOn('customer_id', '$2', '$3')}`,
    "customer_id || '/' || complaint_id",
    [at, day, options.manager],
    options.limit,
    (r) => ({
      id: `${r.customer_id}/${r.complaint_id}`,
      value: r.value,
      kind: 'CUSTOMER',
      customerId: r.customer_id,
      accountManagerId: r.manager,
      detail: `complaint ${r.complaint_id} open for ${Math.round(r.value)} hours`,
    }),
  );
}
