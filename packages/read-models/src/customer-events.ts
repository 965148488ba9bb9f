import type { DomainEvent, PositionedEvent } from '@crh/domain';
import { isoTimestampColumn } from '@crh/event-store/postgres';
import type { PoolClient } from 'pg';

type Queryable = Pick<PoolClient, 'query'>;

export interface CustomerEventRow {
  event_id: string;
  customer_id: string;
  occurred_at: string;
  position: string;
  revision: string;
  type: string;
  actor_id: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: string;
}

// Timestamps come back as ISO 8601 UTC strings: cheaper than Date round trips.
const COLUMNS = `event_id, customer_id, ${isoTimestampColumn('occurred_at')}, position, revision, type, actor_id, data, metadata, ${isoTimestampColumn('recorded_at')}`;

/** Rows here were validated before they were stored, so they are domain events. */
export function rowToEvent(row: CustomerEventRow): PositionedEvent {
  const event = {
    id: row.event_id,
    type: row.type,
    customerId: row.customer_id,
    occurredAt: row.occurred_at,
    data: row.data,
    position: row.position,
    ...(row.actor_id === null ? {} : { actorId: row.actor_id }),
    ...(row.metadata === null ? {} : { metadata: row.metadata }),
  };
  return event as DomainEvent & { position: string };
}

/**
 * All events of the given customers, optionally only those that occurred
 * before an instant, grouped per customer. One round trip for any number of
 * customers, which is what a projection batch needs.
 */
export async function loadCustomerEvents(
  db: Queryable,
  customerIds: readonly string[],
  occurredBefore?: Date,
): Promise<Map<string, PositionedEvent[]>> {
  const byCustomer = new Map<string, PositionedEvent[]>();
  if (customerIds.length === 0) return byCustomer;
  const { rows } = await db.query<CustomerEventRow>(
    `select ${COLUMNS} from crh.rm_customer_events
      where customer_id = any($1::text[]) and ($2::timestamptz is null or occurred_at < $2)`,
    [customerIds, occurredBefore ?? null],
  );
  for (const row of rows) {
    const list = byCustomer.get(row.customer_id);
    const event = rowToEvent(row);
    if (list) list.push(event);
    else byCustomer.set(row.customer_id, [event]);
  }
  return byCustomer;
}

export interface TimelineCursor {
  occurredAt: string;
  position: string;
}

/** Newest first; keyset pagination so deep pages cost the same as the first. */
export async function loadTimelinePage(
  db: Queryable,
  customerId: string,
  first: number,
  after: TimelineCursor | null,
): Promise<{ rows: CustomerEventRow[]; hasNextPage: boolean }> {
  const { rows } = await db.query<CustomerEventRow>(
    `select ${COLUMNS} from crh.rm_customer_events
      where customer_id = $1
        and ($2::timestamptz is null or (occurred_at, position) < ($2::timestamptz, $3::text))
      order by occurred_at desc, position desc
      limit $4`,
    [customerId, after?.occurredAt ?? null, after?.position ?? null, first + 1],
  );
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}
