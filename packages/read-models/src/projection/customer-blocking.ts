import type { LocalDate, PositionedEvent } from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import type { Queryable } from '../schema/interval-rows.ts';
import type { HistoryLoader } from './customer-history.ts';
import { byLogPosition } from './log-order.ts';
import { erasedIn, erasePersonalText } from './personal-text-erasure.ts';
import {
  applyToReadModels,
  type BatchOptions,
  type BatchResult,
  emptyBatchResult,
  type PreparedBatch,
  type ProjectionContext,
  parkEvents,
} from './relationship-projection.ts';

// A poison event (its projection throws) stops only its customer: it is
// parked 'failed' with its error, the customer's later events are parked
// 'held' behind it, every other customer goes on and the checkpoint moves.
// Connectivity and serialization failures are not the event's fault: they
// fail the batch, which is retried from the checkpoint.

/** SQLSTATE classes and codes worth retrying the whole batch for. */
const TRANSIENT_SQLSTATE = /^(08|53|57P0|40001|40P01|55P03|57014)/;

/** EventStoreDB client errors (their `type`) that say the store is away, not the event bad. */
const TRANSIENT_ESDB_TYPES = new Set(['unavailable', 'deadline-exceeded', 'cancelled', 'not-leader']);

/**
 * Whether an error is the database's or the event store's (gone, busy,
 * conflicting) or a shutdown's, not the event's: such an error fails the
 * batch, retried from the checkpoint, rather than parking anything.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return true;
  const { code, type } = error as { code?: unknown; type?: unknown };
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || /^E[A-Z]+$/.test(code))) return true;
  if (typeof type === 'string' && TRANSIENT_ESDB_TYPES.has(type)) return true;
  return /Connection terminated|connection.*(closed|ended|lost)|not queryable|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

/** Customers with a failed event parked: their events wait behind it. */
export async function blockedCustomers(db: Queryable, customers: readonly string[]): Promise<Set<string>> {
  if (customers.length === 0) return new Set();
  const { rows } = await db.query<{ customer_id: string }>(
    `select distinct customer_id from crh.parked_events
      where projection = $1 and state <> 'unreadable' and customer_id = any($2::text[])`,
    [RELATIONSHIPS_PROJECTION, customers],
  );
  return new Set(rows.map((r) => r.customer_id));
}

/** Records a customer's events as failed (the first, with its error) or held. */
export async function parkBlocked(
  db: Queryable,
  events: readonly { record: RecordedEvent; state: 'failed' | 'held'; reason: string }[],
  table = 'crh.parked_events',
): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `insert into ${table} (projection, event_id, position, type, customer_id, reason, state)
     select $1, * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
     on conflict (projection, event_id) do update set state = excluded.state, reason = excluded.reason`,
    [
      RELATIONSHIPS_PROJECTION,
      events.map((e) => e.record.id),
      events.map((e) => e.record.position),
      events.map((e) => e.record.type),
      events.map((e) => e.record.customerId),
      events.map((e) => e.reason),
      events.map((e) => e.state),
    ],
  );
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/** Runs work inside a savepoint: undone alone when it throws something not transient. */
async function inSavepoint<T>(
  client: PoolClient,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await client.query('savepoint crh_customer');
  try {
    const value = await work();
    await client.query('release savepoint crh_customer');
    return { ok: true, value };
  } catch (error) {
    if (isTransientDatabaseError(error)) throw error;
    await client.query('rollback to savepoint crh_customer');
    return { ok: false, error };
  }
}

/** One result for several batches' worth of results (customers and scopes once each). */
export function mergeResults(
  results: readonly BatchResult[],
  records: readonly RecordedEvent[],
  announce: boolean,
): BatchResult {
  const merged = emptyBatchResult(records, announce);
  const customers = new Set<string>();
  const scopes = new Set<string>();
  for (const r of results) {
    merged.applied += r.applied;
    merged.parked += r.parked;
    merged.refolded += r.refolded;
    merged.statusChanges.push(...r.statusChanges);
    merged.alerts.push(...r.alerts);
    for (const c of r.customers) customers.add(c);
    for (const s of r.kpiScopes) scopes.add(s);
  }
  merged.customers = [...customers];
  merged.kpiScopes = [...scopes];
  return merged;
}

/**
 * Applies a customer's events one at a time in log order, each in a
 * savepoint, until one throws: that one is returned as failed, with the
 * events after it (the caller parks them). What applied stays applied.
 */
export async function applyInOrder(
  client: PoolClient,
  events: readonly { record: RecordedEvent; event: PositionedEvent }[],
  turnedDay: LocalDate,
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions,
): Promise<{ results: BatchResult[]; failed?: { index: number; reason: string } }> {
  const results: BatchResult[] = [];
  for (const [index, { record, event }] of events.entries()) {
    const one: PreparedBatch = {
      records: [record],
      byCustomer: new Map([[event.customerId, [event]]]),
      parked: [],
    };
    const outcome = await inSavepoint(client, () =>
      applyToReadModels(client, one, turnedDay, context, histories, options),
    );
    if (!outcome.ok) return { results, failed: { index, reason: errorText(outcome.error) } };
    results.push(outcome.value);
  }
  return { results };
}

/**
 * One batch with blocking: events of blocked customers are held; the rest
 * is applied at once in a savepoint. Should that throw, the batch is applied
 * again customer by customer, event by event, so only the poison event and
 * what its customer has after it are parked.
 */
export async function applyWithBlocking(
  client: PoolClient,
  prepared: PreparedBatch,
  turnedDay: LocalDate,
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions,
): Promise<BatchResult> {
  const blocked = await blockedCustomers(client, [...prepared.byCustomer.keys()]);
  const recordOf = new Map(prepared.records.map((r) => [r.position, r]));
  const inLogOrder = (events: readonly PositionedEvent[]) =>
    [...events].sort(byLogPosition).map((event) => ({ record: recordOf.get(event.position)!, event }));

  const held: { record: RecordedEvent; state: 'held'; reason: string }[] = [];
  const open = new Map<string, PositionedEvent[]>();
  for (const [customerId, events] of prepared.byCustomer) {
    if (!blocked.has(customerId)) open.set(customerId, events);
    else
      for (const { record } of inLogOrder(events))
        held.push({ record, state: 'held', reason: 'held behind a failed event of this customer' });
  }
  await parkBlocked(client, held);
  // An erasure held behind a poison event still takes the customer's text
  // out of the read models now: that does not wait for its views.
  await erasePersonalText(
    client,
    erasedIn(new Map([...prepared.byCustomer].filter(([customerId]) => blocked.has(customerId)))),
  );

  const whole = await inSavepoint(client, () =>
    applyToReadModels(
      client,
      { records: prepared.records, byCustomer: open, parked: prepared.parked },
      turnedDay,
      context,
      histories,
      options,
    ),
  );
  if (whole.ok)
    return {
      ...whole.value,
      applied: whole.value.applied - held.length,
      parked: whole.value.parked + held.length,
    };

  // Slow path: the batch failed somewhere; find the poison events.
  const results: BatchResult[] = [];
  await parkEvents(client, prepared.parked);
  let parked = prepared.parked.length + held.length;
  for (const [, events] of open) {
    const ordered = inLogOrder(events);
    const outcome = await applyInOrder(client, ordered, turnedDay, context, histories, options);
    results.push(...outcome.results);
    if (outcome.failed) {
      const { index, reason } = outcome.failed;
      // The customer's erasure among what is parked here: its text goes now all the same.
      await erasePersonalText(client, erasedIn(new Map([[ordered[0]!.event.customerId, events]])));
      await parkBlocked(client, [
        { record: ordered[index]!.record, state: 'failed', reason },
        ...ordered.slice(index + 1).map(({ record }) => ({
          record,
          state: 'held' as const,
          reason: 'held behind a failed event of this customer',
        })),
      ]);
      parked += ordered.length - index;
    }
  }
  const merged = mergeResults(results, prepared.records, options.announce);
  return { ...merged, parked };
}
