import type { ReadAllOptions } from '../port.ts';
import { EVENT_COLUMNS } from './event-row.ts';
import { decodePosition } from './position.ts';

/**
 * Only rows written by transactions below the snapshot's xmin are readable:
 * every transaction below xmin has finished and any new one gets a larger id,
 * so nothing can ever appear behind a position a reader has passed. Reading
 * `position > checkpoint` instead would skip a row whose (earlier) sequence
 * number was drawn by a transaction that commits after a later one.
 * The same statement snapshot decides both xmin and what rows are visible.
 */
export const READABLE = 'tx_id < pg_snapshot_xmin(pg_current_snapshot())';

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/**
 * Builds the readAll statement with only the filters asked for, so each one
 * can use its index (see migration 001) rather than a catch-all plan.
 */
export function readAllQuery(options: ReadAllOptions): SqlQuery {
  const values: unknown[] = [];
  const param = (value: unknown, type: string): string => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const where = [READABLE];
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
  const limit = param(Math.max(0, Math.floor(options.limit)), 'integer');
  return {
    text: `select ${EVENT_COLUMNS} from crh.events where ${where.join(' and ')} order by tx_id, position limit ${limit}`,
    values,
  };
}
