import type { LocalDate, RelationshipStatus } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';
import { promiseStatusSql, runningSlaBreachSql } from '../schema/rule-sql.ts';
import {
  COMPLAINT_COLUMNS,
  type ComplaintCursor,
  type ComplaintFilter,
  type ComplaintRowOut,
  type PromiseCursor,
  type PromiseFilter,
  type PromiseRowOut,
} from './signal-queries.ts';

// What a list of relationships asks of each of its items, one statement for
// the whole list (the gateway batches an item's nested fields with
// DataLoader): a page per customer, each exactly what the single-customer
// query would give. Answers are keyed by customer; absent: nothing.

/** A stretch of days [from, to) with one status (a status interval without its other facts). */
export interface StatusStretch {
  customerId: string;
  status: RelationshipStatus;
  from: LocalDate;
  to: LocalDate | null;
}

/**
 * Each customer's status intervals overlapping [from, to] (both optional),
 * oldest first, as intervalsOf gives them but with only what a status
 * history needs: a long history is many intervals.
 */
export async function statusStretchesOfCustomers(
  db: Queryable,
  customerIds: readonly string[],
  from: LocalDate | null,
  to: LocalDate | null,
): Promise<Map<string, StatusStretch[]>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<StatusStretch>(
    `select customer_id as "customerId", status, from_day::text as from, to_day::text as to
     from crh.rm_relationship_intervals
     where customer_id = any($1::text[]) and ($2::date is null or to_day is null or to_day > $2::date)
       and ($3::date is null or from_day <= $3::date)
     order by customer_id, from_day`,
    [customerIds, from, to],
  );
  return byCustomer(rows, (s) => s.customerId);
}

export interface NpsAnswerRow {
  customerId: string;
  at: Date;
  day: string;
  score: number;
  touchpoint: string | null;
}

/** Each customer's NPS answers dated from..to (either end open), oldest first. */
export async function npsAnswersOfCustomers(
  db: Queryable,
  customerIds: readonly string[],
  from: LocalDate | null,
  to: LocalDate | null,
): Promise<Map<string, NpsAnswerRow[]>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<NpsAnswerRow>(
    `select customer_id as "customerId", at, day::text as day, score, touchpoint
     from crh.rm_nps_answers
     where customer_id = any($1::text[]) and ($2::date is null or day >= $2::date)
       and ($3::date is null or day <= $3::date)
     order by customer_id, at, position`,
    [customerIds, from, to],
  );
  return byCustomer(rows, (a) => a.customerId);
}

export type CustomerComplaintFilter = Omit<ComplaintFilter, 'accountManagerId' | 'customerId'>;

const CUSTOMER_RUNNING_BREACH = runningSlaBreachSql({ acknowledge: '$5', update: '$6', resolve: '$7' }, '$4');

/** Each customer's complaints, oldest receipt first, a page after `after` of at most `limit` (as complaintsPage). */
export async function complaintsOfCustomers(
  db: Queryable,
  customerIds: readonly string[],
  filter: CustomerComplaintFilter,
  page: { after: ComplaintCursor | null; limit: number },
): Promise<Map<string, ComplaintRowOut[]>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<ComplaintRowOut>(
    `select c.* from unnest($1::text[]) as k(id)
     cross join lateral (
       select ${COMPLAINT_COLUMNS} from crh.rm_complaints
       where customer_id = k.id
         and ($2::boolean is null or open = $2)
         and ($3::boolean is null or coalesce(${CUSTOMER_RUNNING_BREACH}, false) = $3)
         and ($8::timestamptz is null or (received_at, customer_id, complaint_id) > ($8, $9::text, $10::text))
       order by received_at, customer_id, complaint_id
       limit $11
     ) c`,
    [
      customerIds,
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
  return byCustomer(rows, (c) => c.customer_id);
}

export type CustomerPromiseFilter = Omit<PromiseFilter, 'accountManagerId' | 'customerId'>;

/** Each customer's promises by due time, a page after `after` of at most `limit` (as promisesPage). */
export async function promisesOfCustomers(
  db: Queryable,
  customerIds: readonly string[],
  filter: CustomerPromiseFilter,
  page: { after: PromiseCursor | null; limit: number },
): Promise<Map<string, PromiseRowOut[]>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await db.query<PromiseRowOut>(
    `select p.* from unnest($1::text[]) as k(id)
     cross join lateral (
       select * from (
         select customer_id, promise_id, account_manager_id, description, made_at, due_at, kept_at, cancelled_at,
                ${promiseStatusSql('$3::timestamptz')} as status,
                settled_at
         from crh.rm_promises
         where customer_id = k.id
           and ($4::timestamptz is null or due_at < $4)
           and ($5::timestamptz is null or (due_at, customer_id, promise_id) > ($5, $6::text, $7::text))
       ) s
       where $2::text[] is null or status = any($2)
       order by due_at, customer_id, promise_id
       limit $8
     ) p`,
    [
      customerIds,
      filter.statuses ?? null,
      filter.now.toISOString(),
      filter.dueBefore?.toISOString() ?? null,
      ...(page.after ?? [null, null, null]),
      page.limit,
    ],
  );
  return byCustomer(rows, (p) => p.customer_id);
}

function byCustomer<T>(rows: readonly T[], customerOf: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const customer = customerOf(row);
    const list = grouped.get(customer);
    if (list) list.push(row);
    else grouped.set(customer, [row]);
  }
  return grouped;
}
