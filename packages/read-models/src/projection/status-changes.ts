import type { LocalDate, RelationshipStatus } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';

/**
 * A change of a relationship's status as of the turned day: caused by
 * events (a contact, a churn, a late event) or by the day turning (silence
 * crossing a threshold). The change feed publishes these.
 */
export interface StatusChange {
  customerId: string;
  accountManagerId: string | null;
  /** Null when the customer was not onboarded before. */
  from: RelationshipStatus | null;
  to: RelationshipStatus;
  /** The day the statuses are as of. */
  day: LocalDate;
  /** When it took effect: the start of the day for a day turn, else the projector's clock at the batch. */
  at: string;
  cause: 'event' | 'day';
}

/** Appends changes to the feed table in the caller's transaction. */
export async function recordStatusChanges(db: Queryable, changes: readonly StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  await db.query(
    `insert into crh.relationship_status_changes (customer_id, account_manager_id, from_status, to_status, day, at, cause)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::timestamptz[], $7::text[])`,
    [
      changes.map((c) => c.customerId),
      changes.map((c) => c.accountManagerId),
      changes.map((c) => c.from),
      changes.map((c) => c.to),
      changes.map((c) => c.day),
      changes.map((c) => c.at),
      changes.map((c) => c.cause),
    ],
  );
}
