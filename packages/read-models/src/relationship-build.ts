import { emptyFold, intervalOn, localDateOf, type StatusInterval, walkIntervals } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import type { Pool } from 'pg';
import { writeCheckpoint } from './checkpoints.ts';
import { type CopyValue, copyInto } from './copy-rows.ts';
import { insertIntervals } from './interval-rows.ts';
import { lockClock } from './projection-clock.ts';
import { READ_MODEL_TABLES, readModelFingerprint } from './read-model-fingerprint.ts';
import {
  type ProjectionContext,
  parkEvents,
  prepareRelationshipBatch,
  RELATIONSHIPS_PROJECTION,
} from './relationship-projection.ts';
import { SignalBuild } from './signal-projection.ts';

export interface BuildResult {
  /** The log position the read models were built up to (the new checkpoint). */
  upTo: string;
  events: number;
  customers: number;
  parked: number;
  /** Wall time spent on the signal read models (SignalBuild add, flush, finish), in milliseconds. */
  timings: { signalsMs: number };
}

/** Rows held before a COPY: large enough to amortise it, small enough for memory. */
const FLUSH_ROWS = 50_000;

/**
 * Builds every read model from the log, customer by customer: each stream up
 * to `upTo` (at least the checkpoint: it never moves back) is folded whole
 * and its intervals derived once and written with COPY. Replaying the log in
 * time order instead rewrites a customer's latest intervals with nearly
 * every event, which is what makes a rebuild slow.
 *
 * Blue/green by MVCC: one transaction deletes every row of the read models
 * and writes the new ones, so queries keep reading the old rows until it
 * commits and then see the new ones all at once, never a half-built view.
 * It holds the projection clock, so live batches and day turns wait and
 * then go on from where the build ended. The fingerprint of `context` is
 * written with the checkpoint: a crash leaves the old rows and the old
 * fingerprint, and the next start builds again. Returns null when the read
 * models already are what it would build (another process built them),
 * unless `force` (an operator's rebuild).
 */
export async function buildRelationships(
  pool: Pool,
  store: EventStore,
  context: ProjectionContext,
  upTo: string,
  now: () => Date,
  options: { force?: boolean } = {},
): Promise<BuildResult | null> {
  const client = await pool.connect();
  try {
    await client.query('begin; set local synchronous_commit = off');
    const today = localDateOf(now(), context.timeZone);
    let clock = await lockClock(client, RELATIONSHIPS_PROJECTION, today);
    const fingerprint = readModelFingerprint(context);
    if (
      !options.force &&
      clock.fingerprint === fingerprint &&
      clock.position !== null &&
      clock.position >= upTo
    ) {
      await client.query('rollback');
      return null;
    }
    if (clock.position !== null && clock.position > upTo) upTo = clock.position;
    if (clock.fingerprint !== fingerprint) {
      // The turned day restarts: the zone that dates it may have changed.
      await client.query('update crh.projection_checkpoints set turned_day = $2 where projection = $1', [
        RELATIONSHIPS_PROJECTION,
        today,
      ]);
      clock = { ...clock, turnedDay: today };
    }
    // Intervals before levels: their delete trigger takes back the levels they gave.
    for (const table of READ_MODEL_TABLES) await client.query(`delete from ${table}`);
    await client.query('delete from crh.parked_events where projection = $1', [RELATIONSHIPS_PROJECTION]);
    const result: Omit<BuildResult, 'upTo'> = {
      events: 0,
      customers: 0,
      parked: 0,
      timings: { signalsMs: 0 },
    };
    const timed = async (work: () => unknown) => {
      const started = performance.now();
      await work();
      result.timings.signalsMs += performance.now() - started;
    };
    let intervals: StatusInterval[] = [];
    let relationships: CopyValue[][] = [];
    const signals = new SignalBuild(context.timeZone);
    const flush = async () => {
      await timed(() => signals.flush(client));
      await insertIntervals(client, intervals);
      await copyInto(
        client,
        'crh.rm_relationships',
        ['customer_id', 'fold', 'announced_status'],
        relationships,
      );
      intervals = [];
      relationships = [];
    };
    for await (const streams of store.readStreamsUpTo(upTo, { batchSize: 20_000 })) {
      const batch = prepareRelationshipBatch(streams.flat());
      await parkEvents(client, batch.parked);
      result.parked += batch.parked.length;
      result.events += batch.records.length;
      for (const [customerId, events] of batch.byCustomer) {
        const walk = walkIntervals(emptyFold(customerId), events, context);
        for (const interval of walk.intervals) intervals.push(interval);
        // Announced as of the turned day, quietly: a build is no news.
        const status = intervalOn(walk.intervals, clock.turnedDay)?.status ?? null;
        relationships.push([customerId, JSON.stringify(walk.fold), status]);
        const signalsStarted = performance.now();
        signals.add(customerId, events);
        result.timings.signalsMs += performance.now() - signalsStarted;
        result.customers += 1;
      }
      if (intervals.length >= FLUSH_ROWS) await flush();
    }
    await flush();
    await timed(() => signals.finish(client));
    await writeCheckpoint(client, RELATIONSHIPS_PROJECTION, upTo);
    await client.query(
      'update crh.projection_checkpoints set fingerprint = $2, quiet_until = $3 where projection = $1',
      [RELATIONSHIPS_PROJECTION, fingerprint, upTo],
    );
    await client.query('commit');
    return { ...result, upTo };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
