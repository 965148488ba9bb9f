import {
  type LocalDate,
  RELATIONSHIP_STATUSES,
  type RelationshipStatus,
  type StatusInterval,
  type Tier,
} from '@crh/domain';
import {
  INTERVAL_COLUMNS,
  type IntervalRow,
  intervalFromRow,
  type Queryable,
} from '../schema/interval-rows.ts';

/** Which relationships a day's view holds. */
export interface RelationshipFilter {
  day: LocalDate;
  accountManagerId?: string | undefined;
  /** Any of these; default all. */
  statuses?: readonly RelationshipStatus[] | undefined;
  tier?: Tier | undefined;
}

/**
 * Page order is daysSinceContact descending, then customerId: on one day
 * that is last_contact_date ascending, then customer_id, so a cursor is the
 * pair of the last row seen.
 */
export interface PageCursor {
  lastContactDate: LocalDate;
  customerId: string;
}

export interface PageOptions {
  after?: PageCursor | null | undefined;
  /** Rows to return; unlimited when absent. */
  limit?: number | undefined;
}

const TABLE = 'crh.rm_relationship_intervals';

/** The interval holding `day` for one customer; null when not onboarded by then. */
export async function relationshipOn(
  db: Queryable,
  customerId: string,
  day: LocalDate,
): Promise<StatusInterval | null> {
  const { rows } = await db.query<IntervalRow>(
    `select ${INTERVAL_COLUMNS} from ${TABLE}
     where customer_id = $1 and from_day <= $2::date and (to_day is null or to_day > $2::date)`,
    [customerId, day],
  );
  return rows[0] ? intervalFromRow(rows[0]) : null;
}

/** A customer's intervals overlapping [from, to] (both optional), oldest first. */
export async function intervalsOf(
  db: Queryable,
  customerId: string,
  from: LocalDate | null,
  to: LocalDate | null,
): Promise<StatusInterval[]> {
  const { rows } = await db.query<IntervalRow>(
    `select ${INTERVAL_COLUMNS} from ${TABLE}
     where customer_id = $1 and ($2::date is null or to_day is null or to_day > $2::date)
       and ($3::date is null or from_day <= $3::date)
     order by from_day`,
    [customerId, from, to],
  );
  return rows.map(intervalFromRow);
}

/** The relationships a filter holds on its day, in page order. */
export async function relationshipsPage(
  db: Queryable,
  filter: RelationshipFilter,
  options: PageOptions = {},
): Promise<StatusInterval[]> {
  if ((options.limit !== undefined && options.limit <= 0) || statuses(filter).length === 0) return [];
  const query =
    filter.accountManagerId === undefined ? bookQuery(filter, options) : managerQuery(filter, options);
  const { rows } = await db.query<IntervalRow>(query.sql, query.params);
  return rows.map(intervalFromRow);
}

/** How many relationships a filter holds on its day. */
export async function countRelationships(db: Queryable, filter: RelationshipFilter): Promise<number> {
  if (statuses(filter).length === 0) return 0;
  const params: unknown[] = [filter.day];
  const where = conditions(filter, {}, params);
  const sql =
    filter.accountManagerId === undefined
      ? `select coalesce(sum(n), 0)::int as n from (${statuses(filter)
          .map((s) => `select count(*) as n from ${TABLE} where status = '${s}' and ${where}`)
          .join(' union all ')}) counts`
      : `select count(*)::int as n from ${TABLE} where ${where}`;
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? 0;
}

interface Sql {
  sql: string;
  params: unknown[];
}

// Status values come from the enum, never from input text: safe to inline,
// and inlined they let the planner pick each status's partial index. Each
// once: the whole-book queries read one index per status.
const statuses = (filter: RelationshipFilter): readonly RelationshipStatus[] =>
  RELATIONSHIP_STATUSES.filter((s) => (filter.statuses ?? RELATIONSHIP_STATUSES).includes(s));

/**
 * Conditions shared by every query shape; pushes their parameters after `$1`
 * (the day). `valid @> day` is what the GiST indexes answer; one manager's
 * btree answers the same test spelled on the columns it includes.
 */
function conditions(filter: RelationshipFilter, options: PageOptions, params: unknown[]): string {
  const where =
    filter.accountManagerId === undefined
      ? ['valid @> $1::date']
      : ["from_day <= $1::date and coalesce(to_day, 'infinity') > $1::date"];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.accountManagerId !== undefined) {
    where.push(`account_manager_id = ${param(filter.accountManagerId)}`);
    if (filter.statuses) where.push(`status = any(${param(statuses(filter))}::text[])`);
  }
  if (filter.tier !== undefined) where.push(`tier = ${param(filter.tier)}`);
  if (options.after) {
    const date = param(options.after.lastContactDate);
    const id = param(options.after.customerId);
    where.push(
      `last_contact_date >= ${date}::date and (last_contact_date, customer_id) > (${date}::date, ${id})`,
    );
  }
  return where.join(' and ');
}

/**
 * One account manager's book: an index-only scan of the (manager, last
 * contact, customer) index finds the page's keys in order, then only those
 * rows are read.
 */
function managerQuery(filter: RelationshipFilter, options: PageOptions): Sql {
  const params: unknown[] = [filter.day];
  const where = conditions(filter, options, params);
  const limit = options.limit === undefined ? '' : ` limit ${Number(options.limit)}`;
  return {
    sql: `select ${INTERVAL_COLUMNS} from ${TABLE} join (
            select customer_id, from_day from ${TABLE} where ${where} order by last_contact_date, customer_id${limit}
          ) page using (customer_id, from_day)
          order by last_contact_date, customer_id`,
    params,
  };
}

/**
 * The whole book on a day. A sort of every relationship valid on the day
 * would touch the whole book for 50 rows, so each status's GiST index walks
 * its rows valid on the day nearest-first by last contact (KNN) to find the
 * last contact date the page ends at; only rows up to that date are then
 * read and sorted, with customerId breaking ties.
 */
function bookQuery(filter: RelationshipFilter, options: PageOptions): Sql {
  const params: unknown[] = [filter.day];
  const where = conditions(filter, options, params);
  const select = (s: RelationshipStatus, extra = '') =>
    `select ${INTERVAL_COLUMNS} from ${TABLE} where status = '${s}' and ${where}${extra}`;
  const wanted = statuses(filter);
  if (options.limit === undefined) {
    return {
      sql: `select * from (${wanted.map((s) => select(s)).join(' union all ')}) page
            order by last_contact_date, customer_id`,
      params,
    };
  }
  params.push(options.limit);
  const limit = `$${params.length}::int`;
  const nearest = wanted
    .map(
      (s) => `(select last_contact_date as d from ${TABLE} where status = '${s}' and ${where}
               order by last_contact_date <-> '0001-01-01'::date limit ${limit})`,
    )
    .join(' union all ');
  const upTo = ' and last_contact_date <= (select d from bound)';
  return {
    sql: `with bound as (
            select coalesce((select d from (${nearest}) n order by d offset ${limit} - 1 limit 1), 'infinity'::date) as d
          )
          select * from (${wanted.map((s) => select(s, upTo)).join(' union all ')}) page
          order by last_contact_date, customer_id limit ${limit}`,
    params,
  };
}
