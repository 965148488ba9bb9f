import type { RecordedEvent } from '../port.ts';
import { encodePosition } from './position.ts';

/** Columns every read selects, in the shape `toRecordedEvent` expects. */
export const EVENT_COLUMNS =
  'id, type, customer_id, occurred_at, actor_id, data, metadata, tx_id, position, revision, recorded_at';

/** A row as node-postgres returns it: bigint and xid8 as strings, timestamptz as Date, jsonb parsed. */
export interface EventRow {
  id: string;
  type: string;
  customer_id: string;
  occurred_at: Date;
  actor_id: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
  tx_id: string;
  position: string;
  revision: string;
  recorded_at: Date;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    customerId: row.customer_id,
    occurredAt: row.occurred_at.toISOString(),
    actorId: row.actor_id,
    data: row.data,
    metadata: row.metadata,
    position: encodePosition(row.tx_id, row.position),
    revision: Number(row.revision),
    recordedAt: row.recorded_at.toISOString(),
  };
}
