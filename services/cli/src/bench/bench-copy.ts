import type { IncomingEvent } from '@crh/domain';
import { type CopyValue, copyInto } from '@crh/read-models/schema';
import type { Pool } from 'pg';

type Row = CopyValue[];

export async function copyRows(
  pool: Pool,
  table: string,
  rows: { columns: string[]; rows: Iterable<Row> },
): Promise<void> {
  const client = await pool.connect();
  try {
    await copyInto(client, table, rows.columns, rows.rows);
  } finally {
    client.release();
  }
}

/**
 * The bench events as event-log rows, revisions numbered per stream like the
 * store does. Rows are made as COPY reads them: millions of events are not
 * held twice.
 */
export function eventRows(events: readonly IncomingEvent[]): { columns: string[]; rows: Iterable<Row> } {
  const revisions = new Map<string, number>();
  function* rows(): Generator<Row> {
    for (const e of events) {
      const revision = (revisions.get(e.customerId) ?? -1) + 1;
      revisions.set(e.customerId, revision);
      yield [
        e.id,
        `customer-${e.customerId}`,
        revision,
        e.type,
        e.customerId,
        e.occurredAt,
        e.actorId ?? null,
        JSON.stringify(e.data),
        e.metadata ? JSON.stringify(e.metadata) : null,
      ];
    }
  }
  return {
    columns: [
      'id',
      'stream_id',
      'revision',
      'type',
      'customer_id',
      'occurred_at',
      'actor_id',
      'data',
      'metadata',
    ],
    rows: rows(),
  };
}
