import { localDateOf } from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import {
  DEFAULT_PARTITIONS,
  ensurePartitions,
  lockPartitionCheckpoints,
  partitionOf,
  writePartitionCheckpoints,
} from '../schema/partitions.ts';
import { shareClock } from '../schema/projection-clock.ts';
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

// The live projector's batch: the projection clock, what the partitions'
// checkpoints already cover left out, blocking customers at poison events,
// and the checkpoints moved, all in the caller's transaction.

const DEFAULT_OPTIONS: BatchOptions = { announce: true, now: () => new Date() };

/** The partitions a batch is for, and how far the log was read for them. */
export interface BatchPartitions {
  /** The partitions held: events of others in the batch are passed over. */
  held: readonly number[];
  /** The projection's partition count (what partitionOf divides by). */
  count: number;
  /** The log position read up to: the held partitions' checkpoints move there. */
  upTo: string;
}

/** Prepares and applies one batch inside the caller's transaction (see applyPreparedBatch). */
export function applyRelationshipBatch(
  client: PoolClient,
  batch: readonly RecordedEvent[],
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions = DEFAULT_OPTIONS,
  partitions?: BatchPartitions,
): Promise<BatchResult> {
  return applyPreparedBatch(client, prepareRelationshipBatch(batch), context, histories, options, partitions);
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
  partitions?: BatchPartitions,
): Promise<BatchResult> {
  const clock = await shareClock(
    client,
    RELATIONSHIPS_PROJECTION,
    localDateOf(options.now(), context.timeZone),
  );
  if (options.fingerprint !== undefined && clock.fingerprint !== options.fingerprint) {
    throw new Error('the read models were rebuilt with another configuration by another projector');
  }
  const upTo = partitions?.upTo ?? delivered.records.at(-1)?.position;
  if (upTo === undefined) return emptyBatchResult([], options.announce);
  // Without partitions named: all of them (a single projector, a test).
  const count =
    partitions?.count ?? (await ensurePartitions(client, RELATIONSHIPS_PROJECTION, DEFAULT_PARTITIONS));
  const held = partitions?.held ?? Array.from({ length: count }, (_, p) => p);
  // What a partition's checkpoint already covers was applied: a batch
  // delivered again (a retry, a process that lost its partition a moment
  // ago) applies only what comes after it, so it never undoes later work
  // and no checkpoint moves back.
  const applied = await lockPartitionCheckpoints(client, RELATIONSHIPS_PROJECTION, held);
  const wanted = (r: RecordedEvent) => {
    const partition = partitionOf(r.customerId, count);
    if (!applied.has(partition)) return false;
    const checkpoint = applied.get(partition) ?? null;
    return checkpoint === null || r.position > checkpoint;
  };
  const {
    records: batch,
    byCustomer,
    parked,
  } = delivered.records.every(wanted)
    ? delivered
    : prepareRelationshipBatch(delivered.records.filter(wanted));
  const last = batch.at(-1);
  if (!last) {
    await writePartitionCheckpoints(client, RELATIONSHIPS_PROJECTION, [...applied.keys()], upTo);
    return emptyBatchResult([], options.announce);
  }
  // Customer by customer as far as a poison event goes: see customer-blocking.ts.
  const result = await applyWithBlocking(
    client,
    { records: batch, byCustomer, parked },
    clock.turnedDay,
    context,
    histories,
    options,
  );
  await writePartitionCheckpoints(client, RELATIONSHIPS_PROJECTION, [...applied.keys()], upTo);
  return result;
}
