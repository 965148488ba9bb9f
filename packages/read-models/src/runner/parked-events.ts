import { localDateOf, type PositionedEvent, parseRecordedEvent } from '@crh/domain';
import type { EventStore, RecordedEvent } from '@crh/event-store';
import type { Pool, PoolClient } from 'pg';
import { applyInOrder, mergeResults, parkBlocked } from '../projection/customer-blocking.ts';
import { historyFromStore, withoutSkipped } from '../projection/customer-history.ts';
import { byLogPosition } from '../projection/log-order.ts';
import type { BatchOptions, BatchResult, ProjectionContext } from '../projection/relationship-projection.ts';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import { lockClock } from '../schema/projection-clock.ts';

// What `crh parked list | retry | skip` does. Retry and skip hold the
// projection clock (as a batch does), so they never interleave with the
// running projector's batches.

export interface ParkedEvent {
  customerId: string;
  eventId: string;
  position: string;
  type: string;
  /** unreadable: the code cannot read it (blocks nothing); failed: its projection threw; held: waits behind a failed one. */
  state: 'unreadable' | 'failed' | 'held';
  reason: string;
  parkedAt: string;
}

export async function listParked(pool: Pool): Promise<ParkedEvent[]> {
  const { rows } = await pool.query<{
    customer_id: string;
    event_id: string;
    position: string;
    type: string;
    state: ParkedEvent['state'];
    reason: string;
    parked_at: Date;
  }>(
    `select customer_id, event_id, position, type, state, reason, parked_at
       from crh.parked_events where projection = $1 order by position`,
    [RELATIONSHIPS_PROJECTION],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    eventId: r.event_id,
    position: r.position,
    type: r.type,
    state: r.state,
    reason: r.reason,
    parkedAt: r.parked_at.toISOString(),
  }));
}

export interface RetryOutcome {
  customerId: string;
  applied: number;
  /** The event that failed again (the customer stays blocked), with its error. */
  failed?: { eventId: string; reason: string };
}

export interface ParkedDeps {
  pool: Pool;
  store: EventStore;
  context: ProjectionContext;
  now?: () => Date;
  /** Fault injection, for tests only: see BatchOptions.faultInjector. */
  faultInjector?: BatchOptions['faultInjector'];
  /**
   * What a retry or skip committed, for the change feed: live subscribers
   * see its changes as they see a batch's (the projector's onCommitted).
   */
  onCommitted?: (result: BatchResult) => Promise<void>;
}

/**
 * Applies each blocked customer's failed and held events again, in log
 * order, announcing what they change. Stops a customer at the first event
 * that fails again, which stays parked with its new error.
 */
export async function retryParked(deps: ParkedDeps, customerId?: string): Promise<RetryOutcome[]> {
  const { rows } = await deps.pool.query<{ customer_id: string }>(
    `select customer_id from crh.parked_events
      where projection = $1 and state = 'failed' and ($2::text is null or customer_id = $2)
      order by position`,
    [RELATIONSHIPS_PROJECTION, customerId ?? null],
  );
  const outcomes: RetryOutcome[] = [];
  for (const { customer_id } of rows) outcomes.push(await releaseCustomer(deps, customer_id));
  return outcomes;
}

/**
 * Marks one failed event skipped (recorded in crh.skipped_events, which a
 * rebuild honours) and applies the customer's held events.
 */
export async function skipParked(
  deps: ParkedDeps,
  eventId: string,
  reason = 'skipped by an operator',
): Promise<RetryOutcome | null> {
  const { rows } = await deps.pool.query<{ customer_id: string }>(
    `with skipped as (
       delete from crh.parked_events where projection = $1 and event_id = $2 and state = 'failed'
       returning projection, event_id, customer_id, position)
     insert into crh.skipped_events (projection, event_id, customer_id, position, reason)
     select projection, event_id, customer_id, position, $3 from skipped
     returning customer_id`,
    [RELATIONSHIPS_PROJECTION, eventId, reason],
  );
  const customerId = rows[0]?.customer_id;
  if (customerId === undefined) return null;
  return releaseCustomer(deps, customerId);
}

async function releaseCustomer(deps: ParkedDeps, customerId: string): Promise<RetryOutcome> {
  const { pool, store, context } = deps;
  const now = deps.now ?? (() => new Date());
  const client: PoolClient = await pool.connect();
  try {
    await client.query('begin');
    const clock = await lockClock(client, RELATIONSHIPS_PROJECTION, localDateOf(now(), context.timeZone));
    const { rows } = await client.query<{ event_id: string }>(
      `select event_id from crh.parked_events
        where projection = $1 and customer_id = $2 and state <> 'unreadable' order by position`,
      [RELATIONSHIPS_PROJECTION, customerId],
    );
    const waiting = new Set(rows.map((r) => r.event_id));
    const stream = await store.readStream(customerId);
    const events: { record: RecordedEvent; event: PositionedEvent }[] = [];
    for (const record of stream.filter((r) => waiting.has(r.id)).sort(byLogPosition)) {
      const parsed = parseRecordedEvent(record);
      if (parsed.ok)
        events.push({ record, event: { ...parsed.event, position: record.position } as PositionedEvent });
    }
    const histories = withoutSkipped(historyFromStore(store), client);
    const outcome = await applyInOrder(client, events, clock.turnedDay, context, histories, {
      announce: true,
      now,
      faultInjector: deps.faultInjector,
    });
    const applied = outcome.results.length;
    await client.query('delete from crh.parked_events where projection = $1 and event_id = any($2::uuid[])', [
      RELATIONSHIPS_PROJECTION,
      events.slice(0, applied).map((e) => e.record.id),
    ]);
    let failed: RetryOutcome['failed'];
    if (outcome.failed) {
      const poison = events[outcome.failed.index]!;
      await parkBlocked(client, [{ record: poison.record, state: 'failed', reason: outcome.failed.reason }]);
      failed = { eventId: poison.record.id, reason: outcome.failed.reason };
    }
    await client.query('commit');
    if (applied > 0 && deps.onCommitted) {
      const records = events.slice(0, applied).map((e) => e.record);
      await deps.onCommitted(mergeResults(outcome.results, records, true));
    }
    return { customerId, applied, ...(failed ? { failed } : {}) };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
