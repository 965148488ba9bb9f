import type { ReplayOptions } from '../port.ts';
import { decodePosition } from './position.ts';
import { eventFilters, parameters, type SqlQuery } from './read-all-query.ts';

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One NDJSON line per row, built by PostgreSQL: the stored envelope in
 * `toEnvelope`'s shape and key order (optional keys omitted, not null),
 * data and metadata as jsonb prints them. The replay then never parses
 * JSON in Node to print it again, which is most of a row's cost there.
 */
const ENVELOPE_LINE = `concat(
  '{"id":"', id, '","type":', to_json(type), ',"customerId":', to_json(customer_id),
  ',"occurredAt":"', ${iso('occurred_at')}, '"',
  case when actor_id is null then '' else concat(',"actorId":', to_json(actor_id)) end,
  ',"data":', data::text,
  case when metadata is null then '' else concat(',"metadata":', metadata::text) end,
  ',"recordedAt":"', ${iso('recorded_at')},
  '","position":"', lpad(to_hex(tx_id::text::bigint), 16, '0'), lpad(to_hex(position), 16, '0'),
  '","revision":', revision, '}')`;

/** Rows after `after` up to `upTo` (inclusive), filtered, in log order. */
function bounded(options: ReplayOptions, after: string | null, upTo: string) {
  const { values, param } = parameters();
  const end = decodePosition(upTo);
  const where = [
    ...eventFilters({ ...options, after }, param),
    `(tx_id, position) <= (${param(end.txId, 'xid8')}, ${param(end.position, 'bigint')})`,
  ];
  return { values, param, where: where.join(' and ') };
}

/** A page of the replay: rows as [line, tx_id, position], the last two to resume after. */
export function replayPageQuery(
  options: ReplayOptions,
  after: string | null,
  upTo: string,
  limit: number,
): SqlQuery {
  const { values, param, where } = bounded(options, after, upTo);
  return {
    text: `select ${ENVELOPE_LINE}, tx_id, position from crh.events where ${where}
           order by tx_id, position limit ${param(limit, 'integer')}`,
    values,
  };
}

export function countQuery(options: ReplayOptions, upTo: string): SqlQuery {
  const { values, where } = bounded(options, options.after ?? null, upTo);
  return { text: `select count(*)::bigint as n from crh.events where ${where}`, values };
}
