import { type ComplaintSla, type LocalDate, ORGANISATION_SCOPE } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';
import { npsBucketSql, promiseStatusSql, runningSlaBreachSql } from '../schema/rule-sql.ts';

export interface ComplaintRowOut {
  customer_id: string;
  complaint_id: string;
  account_manager_id: string;
  received_at: Date;
  channel: string | null;
  severity: string | null;
  category: string | null;
  acknowledged_at: Date | null;
  first_resolved_at: Date | null;
  hours_to_acknowledge: number | null;
  hours_to_resolve: number | null;
  updates: number;
  reopenings: number;
  open: boolean;
  resolved_at: Date | null;
  longest_silence_hours: number;
  longest_silence_from: Date | null;
  silent_since: Date | null;
  last_step_at: Date;
  beyond_repair: boolean;
  gestures: string[];
  feedback_asked: boolean;
  feedback_satisfied: boolean | null;
  churned_after_resolution_at: Date | null;
}

export interface ComplaintFilter {
  accountManagerId?: string | undefined;
  customerId?: string | undefined;
  /** Open now (true), resolved now (false), either (undefined). */
  open?: boolean | undefined;
  /** Breaching a service level right now (true) or not (false). */
  overdue?: boolean | undefined;
  now: Date;
  sla: ComplaintSla;
}

/** Keyset position in (received_at, customer_id, complaint_id) order. */
export type ComplaintCursor = [string, string, string];

export const COMPLAINT_COLUMNS = `customer_id, complaint_id, account_manager_id, received_at, channel, severity, category,
  acknowledged_at, first_resolved_at, hours_to_acknowledge, hours_to_resolve, updates, reopenings, open,
  resolved_at, longest_silence_hours, longest_silence_from, silent_since, last_step_at, beyond_repair, gestures, feedback_asked,
  feedback_satisfied, churned_after_resolution_at`;

const RUNNING_BREACH = runningSlaBreachSql({ acknowledge: '$6', update: '$7', resolve: '$8' }, '$5');

/**
 * Complaints oldest first (an open list starts with whoever has waited
 * longest). "Overdue" is a running breach as of now: unacknowledged past the
 * acknowledge deadline, silent past the update deadline, or open past the
 * resolve deadline.
 */
export async function complaintsPage(
  db: Queryable,
  filter: ComplaintFilter,
  page: { after: ComplaintCursor | null; limit: number },
): Promise<ComplaintRowOut[]> {
  const { rows } = await db.query<ComplaintRowOut>(
    `select ${COMPLAINT_COLUMNS} from crh.rm_complaints
     where ($1::text is null or account_manager_id = $1)
       and ($2::text is null or customer_id = $2)
       and ($3::boolean is null or open = $3)
       and ($4::boolean is null or coalesce(${RUNNING_BREACH}, false) = $4)
       and ($9::timestamptz is null or (received_at, customer_id, complaint_id) > ($9, $10::text, $11::text))
     order by received_at, customer_id, complaint_id
     limit $12`,
    [
      filter.accountManagerId ?? null,
      filter.customerId ?? null,
      filter.open ?? null,
      filter.overdue ?? null,
      filter.now.toISOString(),
      filter.sla.acknowledge,
      filter.sla.update,
      filter.sla.resolve,
      ...(page.after ?? [null, null, null]),
      page.limit,
    ],
  );
  return rows;
}

export interface PromiseRowOut {
  customer_id: string;
  promise_id: string;
  account_manager_id: string;
  /** Null once the customer's personal data was erased. */
  description: string | null;
  made_at: Date;
  due_at: Date;
  kept_at: Date | null;
  cancelled_at: Date | null;
  status: string;
  settled_at: Date | null;
}

export interface PromiseFilter {
  accountManagerId?: string | undefined;
  customerId?: string | undefined;
  /** OPEN, OVERDUE, KEPT_ON_TIME, KEPT_LATE, CANCELLED: any of. */
  statuses?: readonly string[] | undefined;
  dueBefore?: Date | undefined;
  now: Date;
}

export type PromiseCursor = [string, string, string];

/** Promises by due time (the next one to keep first); OPEN turns OVERDUE when its due time passes. */
export async function promisesPage(
  db: Queryable,
  filter: PromiseFilter,
  page: { after: PromiseCursor | null; limit: number },
): Promise<PromiseRowOut[]> {
  const { rows } = await db.query<PromiseRowOut>(
    `select * from (
       select customer_id, promise_id, account_manager_id, description, made_at, due_at, kept_at, cancelled_at,
              ${promiseStatusSql('$4::timestamptz')} as status,
              settled_at
       from crh.rm_promises
       where ($1::text is null or account_manager_id = $1)
         and ($2::text is null or customer_id = $2)
         and ($5::timestamptz is null or due_at < $5)
         and ($6::timestamptz is null or (due_at, customer_id, promise_id) > ($6, $7::text, $8::text))
     ) p
     where $3::text[] is null or status = any($3)
     order by due_at, customer_id, promise_id
     limit $9`,
    [
      filter.accountManagerId ?? null,
      filter.customerId ?? null,
      filter.statuses ?? null,
      filter.now.toISOString(),
      filter.dueBefore?.toISOString() ?? null,
      ...(page.after ?? [null, null, null]),
      page.limit,
    ],
  );
  return rows;
}

export type NpsGrouping = 'TOUCHPOINT' | 'ACCOUNT_MANAGER' | 'TIER';

export interface NpsGroupRow {
  key: string | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
}

const GROUP_COLUMN: Record<NpsGrouping, string> = {
  TOUCHPOINT: 'touchpoint',
  ACCOUNT_MANAGER: 'account_manager_id',
  TIER: 'tier',
};

/** Answers dated from..to, grouped (the manager and tier as of each answer's day). */
export async function npsByGroup(
  db: Queryable,
  from: LocalDate,
  to: LocalDate,
  groupBy: NpsGrouping,
  accountManagerId: string | null,
): Promise<NpsGroupRow[]> {
  const column = GROUP_COLUMN[groupBy];
  const { rows } = await db.query<NpsGroupRow>(
    `select ${column} as key, count(*)::int as responses,
            count(*) filter (where ${npsBucketSql('promoter', 'score')})::int as promoters,
            count(*) filter (where ${npsBucketSql('passive', 'score')})::int as passives,
            count(*) filter (where ${npsBucketSql('detractor', 'score')})::int as detractors
     from crh.rm_nps_answers
     where day between $1 and $2 and ($3::text is null or account_manager_id = $3)
     group by ${column} order by ${column} nulls last`,
    [from, to, accountManagerId],
  );
  return rows;
}

export interface FanRow {
  actor_id: string;
  moments: number;
  streak: number;
  last_30_days: number;
}

/**
 * "One fan a day": the employees with a delight moment on the day, by
 * streak (consecutive days ending with it), then moments that day. The
 * streak walks back day by day through the (scope, employee, day) key.
 * `accountManagerId`: only moments with customers in that manager's book
 * as of each moment's day; null: the organisation.
 */
export async function fansOn(
  db: Queryable,
  day: LocalDate,
  limit: number,
  accountManagerId: string | null = null,
): Promise<FanRow[]> {
  const { rows } = await db.query<FanRow>(
    `with recursive today as (
       select actor_id, moments from crh.rm_delight_days where scope = $3 and day = $1 and moments > 0
     ), streak(actor_id, day, n) as (
       select actor_id, $1::date, 1 from today
       union all
       select s.actor_id, d.day, s.n + 1 from streak s
       join crh.rm_delight_days d on d.scope = $3 and d.actor_id = s.actor_id and d.day = s.day - 1 and d.moments > 0
     )
     select t.actor_id, t.moments, max(s.n)::int as streak,
            (select sum(x.moments)::int from crh.rm_delight_days x
              where x.scope = $3 and x.actor_id = t.actor_id and x.day > $1::date - 30 and x.day <= $1) as last_30_days
     from today t join streak s using (actor_id)
     group by t.actor_id, t.moments
     order by streak desc, t.moments desc, t.actor_id
     limit $2`,
    [day, limit, accountManagerId ?? ORGANISATION_SCOPE],
  );
  return rows;
}
