import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingEvent } from '@crh/domain';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type Row = (string | number | null)[];

/** COPY text format: tab-separated, \N for null, backslash escapes. */
const field = (value: string | number | null): string =>
  value === null
    ? '\\N'
    : String(value)
        .replaceAll('\\', '\\\\')
        .replaceAll('\t', '\\t')
        .replaceAll('\n', '\\n')
        .replaceAll('\r', '\\r');

export async function copyRows(
  pool: Pool,
  table: string,
  rows: { columns: string[]; rows: Row[] },
): Promise<void> {
  const client = await pool.connect();
  try {
    const sink = client.query(copyFrom(`copy ${table} (${rows.columns.join(', ')}) from stdin`));
    const lines = function* () {
      for (const row of rows.rows) yield `${row.map(field).join('\t')}\n`;
    };
    await pipeline(Readable.from(lines()), sink);
  } finally {
    client.release();
  }
}

/** The bench events as event-log rows, revisions numbered per stream like the store does. */
export function eventRows(events: readonly IncomingEvent[]): { columns: string[]; rows: Row[] } {
  const revisions = new Map<string, number>();
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
    rows: events.map((e) => {
      const revision = (revisions.get(e.customerId) ?? -1) + 1;
      revisions.set(e.customerId, revision);
      return [
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
    }),
  };
}
