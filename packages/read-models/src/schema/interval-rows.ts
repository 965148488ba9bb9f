import type { LocalDate, RelationshipStatus, StatusInterval, Tier } from '@crh/domain';
import type { PoolClient } from 'pg';
import { copyInto } from './copy-rows.ts';

export type Queryable = Pick<PoolClient, 'query'>;

/**
 * The interval columns, selected so that dates come back as 'YYYY-MM-DD'
 * strings (node-pg would turn a date into a Date at the server process's
 * local midnight); instants are stored as ISO text.
 */
export const INTERVAL_COLUMNS = `customer_id, from_day::text, to_day::text, status, tier, account_manager_id,
  name, segment, contract_value, onboarded_at, last_contact_at, last_contact_date::text, open_complaints,
  last_nps_score, last_nps_at, last_delight_at, typical_gap_days, open_promise_due_at`;

export interface IntervalRow {
  customer_id: string;
  from_day: string;
  to_day: string | null;
  status: string;
  tier: string;
  account_manager_id: string | null;
  name: string | null;
  segment: string | null;
  contract_value: number | null;
  onboarded_at: string;
  last_contact_at: string;
  last_contact_date: string;
  open_complaints: number;
  last_nps_score: number | null;
  last_nps_at: string | null;
  last_delight_at: string | null;
  typical_gap_days: number | null;
  open_promise_due_at: string[];
}

export function intervalFromRow(row: IntervalRow): StatusInterval {
  return {
    customerId: row.customer_id,
    from: row.from_day,
    to: row.to_day,
    status: row.status as RelationshipStatus,
    tier: row.tier as Tier,
    accountManagerId: row.account_manager_id,
    name: row.name,
    segment: row.segment,
    contractValue: row.contract_value,
    onboardedAt: row.onboarded_at,
    lastContactAt: row.last_contact_at,
    lastContactDate: row.last_contact_date,
    openComplaints: row.open_complaints,
    lastNpsScore: row.last_nps_score,
    lastNpsAt: row.last_nps_at,
    lastDelightAt: row.last_delight_at,
    typicalContactGapDays: row.typical_gap_days,
    openPromiseDueAts: row.open_promise_due_at,
  };
}

/**
 * For each (customer, day): the stored interval that starts before the day
 * and reaches it, which a splice cuts or joins (see spliceIntervals).
 */
export async function loadHoldingIntervals(
  db: Queryable,
  starts: ReadonlyMap<string, LocalDate>,
): Promise<Map<string, StatusInterval>> {
  if (starts.size === 0) return new Map();
  const { rows } = await db.query<IntervalRow>(
    `select ${INTERVAL_COLUMNS}
     from crh.rm_relationship_intervals
     join unnest($1::text[], $2::date[]) as t(c, d) on customer_id = t.c and from_day < t.d and (to_day is null or to_day >= t.d)`,
    [[...starts.keys()], [...starts.values()]],
  );
  return new Map(rows.map((row) => [row.customer_id, intervalFromRow(row)]));
}

/** What a deleted interval took from the daily KPI levels. */
export interface DeletedInterval {
  from: LocalDate;
  to: LocalDate | null;
  status: RelationshipStatus;
  accountManagerId: string | null;
  openComplaints: number;
}

/**
 * Deletes each customer's intervals that start on or after its day
 * ('-infinity': all of them) and returns what they counted in the levels.
 */
export async function deleteIntervalsFrom(
  db: Queryable,
  from: ReadonlyMap<string, LocalDate>,
): Promise<DeletedInterval[]> {
  if (from.size === 0) return [];
  const { rows } = await db.query<{
    from_day: string;
    to_day: string | null;
    status: RelationshipStatus;
    account_manager_id: string | null;
    open_complaints: number;
  }>(
    `delete from crh.rm_relationship_intervals i
     using unnest($1::text[], $2::date[]) as t(c, d)
     where i.customer_id = t.c and i.from_day >= t.d
     returning i.from_day::text, i.to_day::text, i.status, i.account_manager_id, i.open_complaints`,
    [[...from.keys()], [...from.values()]],
  );
  return rows.map((r) => ({
    from: r.from_day,
    to: r.to_day,
    status: r.status,
    accountManagerId: r.account_manager_id,
    openComplaints: r.open_complaints,
  }));
}

const COPY_COLUMNS = [
  'customer_id',
  'from_day',
  'to_day',
  'status',
  'tier',
  'account_manager_id',
  'name',
  'segment',
  'contract_value',
  'onboarded_at',
  'last_contact_at',
  'last_contact_date',
  'open_complaints',
  'last_nps_score',
  'last_nps_at',
  'last_delight_at',
  'typical_gap_days',
  'open_promise_due_at',
];

/** A batch's new intervals in one COPY, inside the batch's transaction (a build: into its schema). */
export async function insertIntervals(
  db: Queryable,
  intervals: readonly StatusInterval[],
  schema = 'crh',
): Promise<void> {
  if (intervals.length === 0) return;
  await copyInto(
    db,
    `${schema}.rm_relationship_intervals`,
    COPY_COLUMNS,
    intervals.map((i) => [
      i.customerId,
      i.from,
      i.to,
      i.status,
      i.tier,
      i.accountManagerId,
      i.name,
      i.segment,
      i.contractValue,
      i.onboardedAt,
      i.lastContactAt,
      i.lastContactDate,
      i.openComplaints,
      i.lastNpsScore,
      i.lastNpsAt,
      i.lastDelightAt,
      i.typicalContactGapDays,
      i.openPromiseDueAts,
    ]),
  );
}
