import { emptyFold, intervalOn, localDateOf, type StatusInterval, walkIntervals } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import type { Pool } from 'pg';
import { writeCheckpoint } from './checkpoints.ts';
import { type CopyValue, copyInto } from './copy-rows.ts';
import { insertIntervals } from './interval-rows.ts';
import { lockClock } from './projection-clock.ts';
import {
  type ProjectionContext,
  parkEvents,
  prepareRelationshipBatch,
  RELATIONSHIPS_PROJECTION,
} from './relationship-projection.ts';
import { SignalBuild } from './signal-projection.ts';

export interface BuildResult {
  events: number;
  customers: number;
  parked: number;
  /** Wall time spent on the signal read models (SignalBuild add, flush, finish), in milliseconds. */
  timings: { signalsMs: number };
}

/** Rows held before a COPY: large enough to amortise it, small enough for memory. */
const FLUSH_ROWS = 50_000;

/**
 * Builds the relationships read model from empty, customer by customer: each
 * stream up to `upTo` is folded whole and its intervals derived once and
 * written with COPY. Replaying the log in time order instead rewrites a
 * customer's latest intervals with nearly every event, which is what makes
 * a rebuild slow. One transaction: a crash leaves the read model empty, and
 * the next start builds again; batches and day turns wait on the clock row.
 * Does nothing when batches were applied meanwhile (another projector built).
 */
export async function buildRelationships(
  pool: Pool,
  store: EventStore,
  context: ProjectionContext,
  upTo: string,
  now: () => Date,
): Promise<BuildResult | null> {
  const client = await pool.connect();
  try {
    await client.query('begin; set local synchronous_commit = off');
    const clock = await lockClock(client, RELATIONSHIPS_PROJECTION, localDateOf(now(), context.timeZone));
    if (clock.position !== null) {
      await client.query('rollback');
      return null;
    }
    const result: BuildResult = { events: 0, customers: 0, parked: 0, timings: { signalsMs: 0 } };
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
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
