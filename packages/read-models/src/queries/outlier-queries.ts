import { type LocalDate, type Measured, recentWindowStart } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';
import { pastDeadlineSql } from '../schema/rule-sql.ts';

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
 * Every subject's value of a metric as of the end of `day` (`at`: that
 * instant, or now while the day runs). The caller ranks them.
 */
export function measure(
  db: Queryable,
  metric: OutlierMetric,
  day: LocalDate,
  at: string,
): Promise<MeasuredSubject[]> {
  switch (metric) {
    case 'NEGLECTED_SHARE':
      return neglectedShare(db, day);
    case 'OVERDUE_PROMISES':
      return overduePromises(db, day, at);
    case 'NPS_DROP':
      return npsDrops(db, day);
    case 'LONGEST_OPEN_COMPLAINT':
      return openComplaintAges(db, at);
  }
}

/** Managers with active customers on the day: NEGLECTED / active, from the level sums. */
async function managerLevels(db: Queryable, day: LocalDate) {
  const { rows } = await db.query<{ scope: string; active: number; neglected: number }>(
    `select scope, sum(active)::int as active, sum(neglected)::int as neglected
     from crh.rm_kpi_levels where scope <> '' and day <= $1 group by scope having sum(active) > 0`,
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

/** Per manager (as of each promise's due day), promises overdue at `at`. */
async function overdueByManager(db: Queryable, at: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ manager: string; overdue: number }>(
    `select coalesce(due_manager, account_manager_id) as manager, count(*)::int as overdue
     from crh.rm_promises
     where made_at <= $1 and ${pastDeadlineSql('due_at', '$1::timestamptz')}
       and (kept_at is null or kept_at > $1) and (cancelled_at is null or cancelled_at > $1)
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

/** Customers who answered in the 90-day window: the previous answer minus the latest one. */
async function npsDrops(db: Queryable, day: LocalDate): Promise<MeasuredSubject[]> {
  const { rows } = await db.query<{ customer_id: string; manager: string; score: number; previous: number }>(
    `select customer_id, account_manager_id as manager, score, previous from (
       select customer_id, account_manager_id, score, day,
              lag(score) over (partition by customer_id order by at, position) as previous,
              row_number() over (partition by customer_id order by at desc, position desc) as latest
       from crh.rm_nps_answers
       where day <= $1 and customer_id in (select customer_id from crh.rm_nps_answers where day between $2 and $1)
     ) x
     where latest = 1 and previous is not null and day >= $2`,
    [day, recentWindowStart(day)],
  );
  return rows.map((r) => ({
    id: r.customer_id,
    value: r.previous - r.score,
    kind: 'CUSTOMER',
    customerId: r.customer_id,
    accountManagerId: r.manager,
    detail: `NPS answer ${r.previous} then ${r.score}`,
  }));
}

/** Complaints open at `at`, by hours since their receipt. */
async function openComplaintAges(db: Queryable, at: string): Promise<MeasuredSubject[]> {
  const { rows } = await db.query<{
    customer_id: string;
    complaint_id: string;
    manager: string;
    hours: number;
  }>(
    `select customer_id, complaint_id, account_manager_id as manager,
            extract(epoch from ($1::timestamptz - received_at)) / 3600 as hours
     from crh.rm_complaints where received_at <= $1 and open_periods @> $1::timestamptz`,
    [at],
  );
  return rows.map((r) => ({
    id: `${r.customer_id}/${r.complaint_id}`,
    value: Number(r.hours),
    kind: 'CUSTOMER',
    customerId: r.customer_id,
    accountManagerId: r.manager,
    detail: `complaint ${r.complaint_id} open for ${Math.round(Number(r.hours))} hours`,
  }));
}
