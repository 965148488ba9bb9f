import type { RecordedEvent } from '../port.ts';
import { rememberTraceContext } from '../trace-context.ts';
import { encodePosition } from './position.ts';

/** Columns every read selects, in the shape `toRecordedEvent` expects. */
// Timestamps leave PostgreSQL already as ISO 8601 UTC strings: parsing them
// into Date and formatting them back costs more than the rest of a read.
export const isoTimestampColumn = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${column}`;

export const EVENT_COLUMNS = `id, type, customer_id, ${isoTimestampColumn('occurred_at')}, actor_id, data, metadata, tx_id, position, revision, ${isoTimestampColumn('recorded_at')}`;

/** A row as node-postgres returns it: bigint and xid8 as strings, timestamps as ISO strings, jsonb parsed. */
export interface EventRow {
  id: string;
  type: string;
  customer_id: string;
  occurred_at: string;
  actor_id: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
  tx_id: string;
  position: string;
  revision: string;
  recorded_at: string;
  /** Only where a read selects it (the log reads the projector follows). */
  trace_context?: string | null;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  const event: RecordedEvent = {
    id: row.id,
    type: row.type,
    customerId: row.customer_id,
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    data: row.data,
    metadata: row.metadata,
    position: encodePosition(row.tx_id, row.position),
    revision: Number(row.revision),
    recordedAt: row.recorded_at,
  };
  return rememberTraceContext(event, row.trace_context);
}
