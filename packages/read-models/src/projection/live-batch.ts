import { localDateOf } from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { RELATIONSHIPS_PROJECTION, writeCheckpoint } from '../schema/checkpoints.ts';
import { lockClock } from '../schema/projection-clock.ts';
import { applyWithBlocking } from './customer-blocking.ts';
import type { HistoryLoader } from './customer-history.ts';
import {
  type BatchOptions,
  type BatchResult,
  emptyBatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
} from './relationship-projection.ts';

// The live projector's batch: the projection clock, what the checkpoint
// already covers left out, blocking customers at poison events, and the
// checkpoint moved, all in the caller's transaction.

const DEFAULT_OPTIONS: BatchOptions = { announce: true, now: () => new Date() };

/** Prepares and applies one batch inside the caller's transaction (see applyPreparedBatch). */
export function applyRelationshipBatch(
  client: PoolClient,
  batch: readonly RecordedEvent[],
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions = DEFAULT_OPTIONS,
): Promise<BatchResult> {
  return applyPreparedBatch(client, prepareRelationshipBatch(batch), context, histories, options);
}

/**
 * Applies one prepared batch inside the caller's transaction. Per touched
 * customer: events later in time than everything its fold has seen extend
 * the fold and replace the intervals from their first day on; a late event
 * re-reads and refolds the customer's history and replaces all its
 * intervals. Either way the stored intervals equal those of
 * the whole history derived at once. Status changes as of the turned day go
 * to the change feed, and the checkpoint moves, in the same transaction.
 */
export async function applyPreparedBatch(
  client: PoolClient,
  delivered: PreparedBatch,
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions = DEFAULT_OPTIONS,
): Promise<BatchResult> {
  const clock = await lockClock(
    client,
    RELATIONSHIPS_PROJECTION,
    localDateOf(options.now(), context.timeZone),
  );
  if (options.fingerprint !== undefined && clock.fingerprint !== options.fingerprint) {
    throw new Error('the read models were rebuilt with another configuration by another projector');
  }
  // What the checkpoint already covers was applied: a batch delivered again
  // (a retry, a second projector) applies only what comes after it, so it
  // never undoes later work and the checkpoint never moves back.
  const applied = clock.position;
  const {
    records: batch,
    byCustomer,
    parked,
  } = applied !== null && delivered.records.some((r) => r.position <= applied)
    ? prepareRelationshipBatch(delivered.records.filter((r) => r.position > applied))
    : delivered;
  const last = batch.at(-1);
  if (!last) return emptyBatchResult([], options.announce);
  // Customer by customer as far as a poison event goes: see customer-blocking.ts.
  const result = await applyWithBlocking(
    client,
    { records: batch, byCustomer, parked },
    clock.turnedDay,
    context,
    histories,
    options,
  );
  await writeCheckpoint(client, RELATIONSHIPS_PROJECTION, last.position);
  return result;
}
