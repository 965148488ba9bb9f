import { intervalOn, type LocalDate, localDateOf } from '@crh/domain';
import { type EventStore, readAhead } from '@crh/event-store';
import { whileHoldingLock } from '@crh/postgres';
import type { Pool } from 'pg';
import { parkBlocked } from '../projection/customer-blocking.ts';
import {
  type BatchOptions,
  type ProjectionContext,
  parkEvents,
  prepareRelationshipBatch,
} from '../projection/relationship-projection.ts';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import { type CopyValue, copyInto } from '../schema/copy-rows.ts';
import { insertIntervals } from '../schema/interval-rows.ts';
import { readModelFingerprint } from '../schema/read-model-fingerprint.ts';
import { skippedEventIds } from '../schema/skipped-events.ts';
import { walkCustomer } from './customer-walk.ts';
import { swapInBuild } from './relationship-build-swap.ts';
import {
  createShadowTables,
  dropShadowTables,
  indexShadowTables,
  SHADOW_PARKED,
  SHADOW_SCHEMA,
  shadowIndexDefinitions,
  shadowOf,
} from './shadow-tables.ts';
import { SignalBuild, sumShadowSignals, writeSignalRows } from './signal-build.ts';

export interface BuildResult {
  /** The log position the read models are up to now (the new checkpoint). */
  upTo: string;
  events: number;
  customers: number;
  parked: number;
  /** Events the live projector applied during the build, applied to the new tables at the swap. */
  caughtUp: number;
  /** Wall time of the phases, in milliseconds. */
  timings: { loadMs: number; indexMs: number; swapMs: number };
}

/** Interval rows derived before they are written: large enough to amortise a COPY, small enough for memory. */
const FLUSH_ROWS = 50_000;
/** Events per read of the log (whole streams: a page ends at a stream's end). */
const READ_EVENTS = 20_000;
/**
 * Customers derived between turns of the event loop. The COPY being written
 * and the page being read move only in those turns: derived in one go, a
 * page would leave both PostgreSQL connections idle once their socket
 * buffers ran dry (about a tenth of a second), for most of the build.
 */
const YIELD_CUSTOMERS = 50;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Index builds at once: they are CPU-bound sorts, one per core of a small server. */
const INDEX_WORKERS = 2;
/** One build at a time, whoever starts it (an operator's rebuild, a projector after a rule change). */
const BUILD_LOCK = 'crh.read-models.build';

/**
 * Builds every read model from the log up to `upTo` into new tables, then
 * switches to them at once (blue/green):
 *
 * 1. Load. Each customer's stream is folded whole and its intervals and
 *    signal rows derived once, COPYed into a shadow schema of tables without
 *    indexes or triggers; while one chunk is written the next is derived.
 *    Replaying the log in time order would instead rewrite a customer's
 *    latest intervals with nearly every event.
 * 2. Sum. The daily KPI levels and counts, each in one statement.
 * 3. Index. The live tables' indexes, built in bulk, two at a time.
 * 4. Swap. One short transaction holding the projection clock: the live
 *    tables go, the new ones move in, and whatever the live projector
 *    applied after `upTo` meanwhile is applied to them (quietly: it was
 *    announced already). Queries read the old tables until it commits.
 *
 * Live batches and day turns go on during steps 1 to 3. The fingerprint
 * of `context` is written with the checkpoint: a crash before the swap
 * leaves the old tables and fingerprint, and the next build starts over.
 * Returns null when the read models already are what it would build
 * (another process built them), unless `force` (an operator's rebuild).
 */
export async function buildRelationships(
  pool: Pool,
  store: EventStore,
  context: ProjectionContext,
  upTo: string,
  now: () => Date,
  options: {
    force?: boolean;
    /** Runs between building the new tables and the swap (tests act there, as live batches would). */
    beforeSwap?: () => Promise<void>;
    /** Tests only: makes projecting the events it throws for fail, as a projection bug would. */
    faultInjector?: BatchOptions['faultInjector'];
  } = {},
): Promise<BuildResult | null> {
  const built = await whileHoldingLock(pool, BUILD_LOCK, null, async () => {
    const fingerprint = readModelFingerprint(context);
    const clock = await readClock(pool);
    if (
      !options.force &&
      clock?.fingerprint === fingerprint &&
      clock.position !== null &&
      clock.position >= upTo
    ) {
      return null;
    }
    // Announced statuses are as of the turned day; a new fingerprint
    // restarts it (the zone that dates it may have changed).
    const today = localDateOf(now(), context.timeZone);
    const turnedDay = clock?.fingerprint === fingerprint ? (clock.turnedDay ?? today) : today;
    const started = performance.now();
    try {
      const loaded = await loadShadowTables(pool, store, context, upTo, turnedDay, options.faultInjector);
      const loadMs = performance.now() - started;
      await indexShadowTables(pool, await shadowIndexDefinitions(pool), INDEX_WORKERS);
      const indexMs = performance.now() - started - loadMs;
      await options.beforeSwap?.();
      const swapStarted = performance.now();
      const swapped = await swapInBuild(pool, store, context, {
        upTo,
        turnedDay,
        fingerprint,
        now,
        faultInjector: options.faultInjector,
      });
      const swapMs = performance.now() - swapStarted;
      return { ...loaded, ...swapped, timings: { loadMs, indexMs, swapMs } };
    } catch (error) {
      // The shadow tables hold a whole book: do not leave them behind.
      await dropShadowTables(pool).catch(() => undefined);
      throw error;
    }
  });
  return built ?? null;
}

async function readClock(
  pool: Pool,
): Promise<{ position: string | null; fingerprint: string | null; turnedDay: LocalDate | null } | null> {
  const { rows } = await pool.query<{
    position: string | null;
    fingerprint: string | null;
    turned_day: string | null;
  }>('select position, fingerprint, turned_day::text from crh.projection_checkpoints where projection = $1', [
    RELATIONSHIPS_PROJECTION,
  ]);
  const row = rows[0];
  return row ? { position: row.position, fingerprint: row.fingerprint, turnedDay: row.turned_day } : null;
}

/** Steps 1 and 2: every customer's rows into the shadow tables, then the sums. */
async function loadShadowTables(
  pool: Pool,
  store: EventStore,
  context: ProjectionContext,
  upTo: string,
  turnedDay: LocalDate,
  faultInjector: BatchOptions['faultInjector'],
): Promise<{ events: number; customers: number; parked: number }> {
  const client = await pool.connect();
  try {
    // One transaction creates and fills the shadow tables: the COPYs may
    // then freeze their rows (see shadow-schema.ts), autovacuum leaves the
    // tables alone while they fill, and a failure leaves nothing behind.
    // Rebuildable rows: no wait for the commit's fsync.
    // The sums at the end group a few million rows: in memory, not on disk.
    // A build's COPYs and sums take as long as the book is large, and the
    // transaction waits between them while the log is read: neither the
    // pool's statement timeout nor its idle-in-transaction timeout fits.
    await client.query(
      `begin; set local synchronous_commit = off; set local work_mem = '256MB';
       set local statement_timeout = 0; set local idle_in_transaction_session_timeout = 0`,
    );
    await createShadowTables(client);
    const result = { events: 0, customers: 0, parked: 0 };
    let intervals: Parameters<typeof insertIntervals>[1][number][] = [];
    let relationships: CopyValue[][] = [];
    const signals = new SignalBuild(context.timeZone);
    // One write in flight while the next chunk is derived: PostgreSQL and
    // this process work at the same time. Marked handled at once, so a
    // failure waits for the next await instead of crashing the process.
    let writing: Promise<void> = Promise.resolve();
    const flush = async (last: boolean) => {
      const chunk = { intervals, relationships, signals: signals.take(last) };
      intervals = [];
      relationships = [];
      await writing;
      writing = (async () => {
        await insertIntervals(client, chunk.intervals, SHADOW_SCHEMA);
        await copyInto(
          client,
          shadowOf('crh.rm_relationships'),
          ['customer_id', 'fold', 'announced_status'],
          chunk.relationships,
        );
        await writeSignalRows(client, chunk.signals);
      })();
      writing.catch(() => undefined);
    };
    // Events an operator skipped stay out: the build reproduces the decision.
    const skipped = await skippedEventIds(client);
    const pages = readAhead(store.readStreamsUpTo(upTo, { batchSize: READ_EVENTS }), (streams) =>
      prepareRelationshipBatch(
        skipped.size === 0 ? streams.flat() : streams.flat().filter((r) => !skipped.has(r.id)),
      ),
    );
    for await (const batch of pages) {
      if (batch.parked.length > 0) {
        await writing; // the one connection: no statement while a COPY runs
        await parkEvents(client, batch.parked, SHADOW_PARKED);
      }
      result.parked += batch.parked.length;
      result.events += batch.records.length;
      const recordOf = new Map(batch.records.map((r) => [r.position, r]));
      let sinceYield = 0;
      for (const [customerId, events] of batch.byCustomer) {
        if (++sinceYield === YIELD_CUSTOMERS) {
          sinceYield = 0;
          await yieldToIo();
        }
        const walked = walkCustomer(
          customerId,
          events,
          context,
          (sorted) => signals.derive(customerId, sorted),
          faultInjector,
        );
        if (walked.stopped.length > 0) {
          await writing; // the one connection: no statement while a COPY runs
          await parkBlocked(
            client,
            walked.stopped.map(({ event, state, reason }) => ({
              record: recordOf.get(event.position)!,
              state,
              reason,
            })),
            SHADOW_PARKED,
          );
          result.parked += walked.stopped.length;
        }
        const { walk } = walked;
        if (walk === null) continue;
        for (const interval of walk.intervals) intervals.push(interval);
        signals.addIntervals(walk.intervals);
        // Announced as of the turned day, quietly: a build is no news.
        const status = intervalOn(walk.intervals, turnedDay)?.status ?? null;
        relationships.push([customerId, JSON.stringify(walk.fold), status]);
        signals.addDerived(customerId, walked.derived);
        result.customers += 1;
      }
      if (intervals.length >= FLUSH_ROWS) await flush(false);
    }
    await flush(true);
    await writing;
    await sumShadowSignals(client);
    await client.query('commit');
    client.release();
    return result;
  } catch (error) {
    // A connection that cannot even roll back is closed, not pooled.
    await client.query('rollback').then(
      () => client.release(),
      (failure: Error) => client.release(failure),
    );
    throw error;
  }
}
