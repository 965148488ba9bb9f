import {
  type AppendEvent,
  type AppendOutcome,
  IdConflictError,
  WrongExpectedRevisionError,
} from '../port.ts';
import { encodePosition } from './position.ts';

/** One statement, one round trip: the batch as parallel arrays for crh.append_events. */
export const APPEND_SQL = `select status, tx_id, position, revision from crh.append_events(
  $1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::jsonb[], $8::bigint[])`;

/** APPEND_SQL with the W3C trace context of the append as $9 (stored in events.trace_context). */
export const APPEND_TRACED_SQL = `select status, tx_id, position, revision from crh.append_events_traced(
  $1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::jsonb[], $8::bigint[], $9::text)`;

export interface AppendRow {
  status: 'recorded' | 'duplicate';
  tx_id: string;
  position: string;
  revision: string;
}

export function appendParams(events: readonly AppendEvent[]): unknown[] {
  return [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.customerId),
    events.map((e) => e.occurredAt),
    events.map((e) => e.actorId ?? null),
    // Serialised here: node-postgres would pass a bare string as text, not JSON.
    events.map((e) => JSON.stringify(e.data ?? null)),
    events.map((e) => (e.metadata == null ? null : JSON.stringify(e.metadata))),
    events.map((e) => e.expectedRevision ?? null),
  ];
}

export function toAppendOutcomes(
  events: readonly AppendEvent[],
  rows: readonly AppendRow[],
): AppendOutcome[] {
  if (rows.length !== events.length) {
    throw new Error(`append_events returned ${rows.length} outcomes for ${events.length} events`);
  }
  return rows.map((row, index) => ({
    id: events[index]!.id,
    status: row.status,
    position: encodePosition(row.tx_id, row.position),
    revision: Number(row.revision),
  }));
}

interface PgError {
  code?: unknown;
  detail?: unknown;
}

export const pgErrorCode = (error: unknown): string | undefined => {
  const code = (error as PgError | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** SQLSTATE raised by crh.append_events when an expectedRevision does not hold. */
export const WRONG_EXPECTED_REVISION = 'CR409';

/**
 * Errors after which the whole call is simply retried: 23505, a concurrent
 * append recorded one of our new ids first (the retry reports it as a
 * duplicate); 40P01, two batches sharing ids in different streams deadlocked
 * on the unique index and PostgreSQL aborted one of them.
 */
export const RETRYABLE_APPEND_ERRORS: ReadonlySet<string> = new Set(['23505', '40P01']);

export function toWrongExpectedRevision(error: unknown): WrongExpectedRevisionError {
  const detail = JSON.parse(String((error as PgError).detail)) as {
    customerId: string;
    expected: number;
    actual: number;
  };
  return new WrongExpectedRevisionError(detail.customerId, Number(detail.expected), Number(detail.actual));
}

/** SQLSTATE raised by crh.append_events when an id stands for other content (detail: {"ids": [...]}). */
export const ID_CONFLICT = 'CRIDC';

export function toIdConflict(error: unknown): IdConflictError {
  const detail = JSON.parse(String((error as PgError).detail)) as { ids: string[] };
  return new IdConflictError(detail.ids);
}
