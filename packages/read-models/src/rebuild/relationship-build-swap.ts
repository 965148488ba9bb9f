import { type LocalDate, localDateOf } from '@crh/domain';
import { type EventStore, type RecordedEvent, readToEnd } from '@crh/event-store';
import type { Pool, PoolClient } from 'pg';
import { applyWithBlocking } from '../projection/customer-blocking.ts';
import { historyFromStore, withoutSkipped } from '../projection/customer-history.ts';
import {
  type BatchOptions,
  type ProjectionContext,
  prepareRelationshipBatch,
} from '../projection/relationship-projection.ts';
import { RELATIONSHIPS_PROJECTION, readCheckpoint, writeCheckpoint } from '../schema/checkpoints.ts';
import type { Queryable } from '../schema/interval-rows.ts';
import { partitionOf, readPartitionCheckpoints } from '../schema/partitions.ts';
import { lockClock } from '../schema/projection-clock.ts';
import { skippedEventIds } from '../schema/skipped-events.ts';
import { dropShadowTables, SHADOW_PARKED, swapShadowTables } from './shadow-tables.ts';

export interface SwapPlan {
  /** The position the shadow tables were built up to. */
  upTo: string;
  /** The day their announced statuses are as of. */
  turnedDay: LocalDate;
  fingerprint: string;
  now: () => Date;
  /** Tests only, see BatchOptions. */
  faultInjector?: BatchOptions['faultInjector'];
}

/** Events read at a time while the new tables catch up with the live ones. */
const CATCH_UP_BATCH = 2_000;

/**
 * Step 4 of a build (see buildRelationships): in one transaction holding
 * the projection clock, so no live batch or day turn runs meanwhile, the
 * shadow tables replace the live ones, catch up with what the live
 * projector applied after the build's end, and the checkpoint and
 * fingerprint move with them. Returns where the read models are now.
 */
export async function swapInBuild(
  pool: Pool,
  store: EventStore,
  context: ProjectionContext,
  plan: SwapPlan,
): Promise<{ upTo: string; caughtUp: number }> {
  const client = await pool.connect();
  try {
    // The swap waits for queries on the old tables to finish, then applies
    // what the projector did meanwhile: not bounded by the query timeout.
    await client.query('begin; set local statement_timeout = 0');
    const today = localDateOf(plan.now(), context.timeZone);
    const clock = await lockClock(client, RELATIONSHIPS_PROJECTION, today);
    await swapShadowTables(client);
    await client.query('delete from crh.parked_events where projection = $1', [RELATIONSHIPS_PROJECTION]);
    await client.query(`insert into crh.parked_events select * from ${SHADOW_PARKED}`);
    let turnedDay = clock.turnedDay;
    if (clock.fingerprint !== plan.fingerprint && turnedDay !== today) {
      await client.query('update crh.projection_checkpoints set turned_day = $2 where projection = $1', [
        RELATIONSHIPS_PROJECTION,
        today,
      ]);
      turnedDay = today;
    }
    // A day turned during the build: the statuses to compare the next
    // changes with are as of the new day.
    if (turnedDay !== plan.turnedDay) await announceAsOf(client, turnedDay);
    // What the live projector applied meanwhile, partition by partition
    // (batches wait for the clock this transaction holds).
    const live = await readPartitionCheckpoints(client, RELATIONSHIPS_PROJECTION);
    const appliedLive =
      live.size === 0
        ? (r: RecordedEvent) => clock.position !== null && r.position <= clock.position
        : (r: RecordedEvent) => {
            const checkpoint = live.get(partitionOf(r.customerId, live.size)) ?? null;
            return checkpoint !== null && r.position <= checkpoint;
          };
    const until = [clock.position, ...live.values()].reduce<string | null>(
      (max, p) => (p !== null && (max === null || p > max) ? p : max),
      null,
    );
    const caughtUp = await catchUp(client, store, context, plan, { applied: appliedLive, until }, turnedDay);
    // Each partition is now applied up to the build's end or further (what
    // the live projector had applied, caught up above); the overall
    // checkpoint is the lowest of them.
    await client.query(
      `update crh.projection_partitions set position = $2, updated_at = now()
        where projection = $1 and (position is null or position < $2 collate "C")`,
      [RELATIONSHIPS_PROJECTION, plan.upTo],
    );
    // Before partitions (a first build) the clock's row held the checkpoint.
    const position =
      live.size > 0
        ? ((await readCheckpoint(client, RELATIONSHIPS_PROJECTION)) ?? plan.upTo)
        : clock.position !== null && clock.position > plan.upTo
          ? clock.position
          : plan.upTo;
    if (live.size === 0) await writeCheckpoint(client, RELATIONSHIPS_PROJECTION, position);
    await client.query(
      'update crh.projection_checkpoints set fingerprint = $2, quiet_until = $3 where projection = $1',
      [RELATIONSHIPS_PROJECTION, plan.fingerprint, position],
    );
    await dropShadowTables(client);
    await client.query('commit');
    return { upTo: position, caughtUp };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Every relationship's announced status: its status on the day (none before onboarding). */
async function announceAsOf(db: Queryable, day: LocalDate): Promise<void> {
  await db.query(
    `update crh.rm_relationships r set announced_status = (
       select i.status from crh.rm_relationship_intervals i
       where i.customer_id = r.customer_id and i.from_day <= $1::date and (i.to_day is null or i.to_day > $1::date))`,
    [day],
  );
}

/**
 * The events after the build's end that the live projector has applied
 * (up to its checkpoint), applied to the new tables without announcing:
 * the live projector announced them when it applied them.
 */
async function catchUp(
  client: PoolClient,
  store: EventStore,
  context: ProjectionContext,
  plan: SwapPlan,
  live: { applied: (record: RecordedEvent) => boolean; until: string | null },
  turnedDay: LocalDate,
): Promise<number> {
  const { applied, until } = live;
  if (until === null || until <= plan.upTo) return 0;
  const histories = withoutSkipped(historyFromStore(store), client);
  const skipped = await skippedEventIds(client);
  let count = 0;
  for await (const records of readToEnd(store, plan.upTo, CATCH_UP_BATCH)) {
    const within = records.filter(applied);
    const wanted = within.filter((r) => !skipped.has(r.id));
    if (wanted.length > 0) {
      // As live batches are: a poison event stops only its customer, and
      // customers the build parked keep waiting behind their failed event.
      await applyWithBlocking(client, prepareRelationshipBatch(wanted), turnedDay, context, histories, {
        announce: false,
        now: plan.now,
        faultInjector: plan.faultInjector,
      });
      count += wanted.length;
    }
    if (records.at(-1)!.position >= until) break;
  }
  return count;
}
