import type { ReadAllOptions } from '../port.ts';
import { EVENT_COLUMNS } from './event-row.ts';
import { decodePosition } from './position.ts';

/**
 * Only rows written by transactions below the log's horizon are readable
 * (`crh.log_horizon()`, taken in an earlier statement): every append below
 * it has ended, and any new one gets a larger id, so nothing can ever appear
 * behind a position a reader has passed. Reading `position > checkpoint`
 * instead would skip a row whose (earlier) sequence number was drawn by a
 * transaction that commits after a later one. The rows are read in a later
 * statement than the horizon, so its snapshot sees every append below it.
 */
export const HORIZON_SQL = 'select crh.log_horizon()::text as horizon';

export const readableBelow = (horizon: string, param: Param) => `tx_id < ${param(horizon, 'xid8')}`;

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Appends a value to `values` and returns its typed placeholder. */
export type Param = (value: unknown, type: string) => string;

export function parameters(): { values: unknown[]; param: Param } {
  const values: unknown[] = [];
  return {
    values,
    param: (value, type) => {
      values.push(value);
      return `$${values.length}::${type}`;
    },
  };
}

/**
 * The conditions of a filtered read of the log, only those asked for, so
 * each one can use its index (see migration 001) rather than a catch-all plan.
 */
export function eventFilters(options: Omit<ReadAllOptions, 'limit'>, param: Param): string[] {
  const where: string[] = [];
  if (options.after) {
    const after = decodePosition(options.after);
    // A row comparison, so the (tx_id, position) index serves it directly.
    where.push(`(tx_id, position) > (${param(after.txId, 'xid8')}, ${param(after.position, 'bigint')})`);
  }
  // An empty type list means "no type filter", as an absent one does.
  if (options.types && options.types.length > 0) {
    where.push(`type = any(${param(options.types, 'text[]')})`);
  }
  if (options.customerId !== undefined) {
    // stream_id, not customer_id: the unique (stream_id, revision) index serves it.
    where.push(`stream_id = ${param(`customer-${options.customerId}`, 'text')}`);
  }
  if (options.from) where.push(`occurred_at >= ${param(options.from, 'timestamptz')}`);
  if (options.to) where.push(`occurred_at <= ${param(options.to, 'timestamptz')}`);
  return where;
}

/** The readAll statement: rows below the horizon after `after`, filtered, in log order. */
export function readAllQuery(options: ReadAllOptions, horizon: string): SqlQuery {
  const { values, param } = parameters();
  const where = [readableBelow(horizon, param), ...eventFilters(options, param)];
  const limit = param(Math.max(0, Math.floor(options.limit)), 'integer');
  return {
    // trace_context: what the projector links its batch spans to (see trace-context.ts).
    text: `select ${EVENT_COLUMNS}, trace_context from crh.events where ${where.join(' and ')} order by tx_id, position limit ${limit}`,
    values,
  };
}
