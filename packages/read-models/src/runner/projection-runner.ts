import { type ComplaintSla, DEFAULT_COMPLAINT_SLA, type LocalDate, localDateOf } from '@crh/domain';
import { type EventStore, type RecordedEvent, readAhead, readToEnd, traceLinksOf } from '@crh/event-store';
import { createBackoff, LockLostError, sleep, whileHoldingLock } from '@crh/postgres';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Pool } from 'pg';
import { historyFromStore, withoutSkipped } from '../projection/customer-history.ts';
import { type DayTurn, turnDays } from '../projection/day-turn.ts';
import { applyPreparedBatch, type BatchPartitions } from '../projection/live-batch.ts';
import {
  type BatchOptions,
  type BatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
} from '../projection/relationship-projection.ts';
import { announcePassedDeadlines, type SignalAlert } from '../projection/signal-alerts.ts';
import { buildRelationships } from '../rebuild/relationship-build.ts';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '../schema/checkpoints.ts';
import {
  DEFAULT_PARTITIONS,
  ensurePartitions,
  partitionOf,
  readPartitionCheckpoints,
  writePartitionCheckpoints,
} from '../schema/partitions.ts';
import { ensureReadModelsMatch, readModelFingerprint } from '../schema/read-model-fingerprint.ts';
import { openPartitionLeases, type PartitionLeases } from './partition-leases.ts';

/** The slice of a pino logger the runner needs (read-models stays free of logging deps). */
export interface RunnerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProjectorDeps {
  store: EventStore;
  pool: Pool;
  logger: RunnerLogger;
  context: ProjectionContext;
  batchSize: number;
  /** The clock; injected so tests can let days pass. */
  now?: () => Date;
  /** How often a running projector checks whether a new day began; default 15 s. */
  dayTurnCheckMs?: number;
  /**
   * How often a projector checks whether partitions should change hands (a
   * process joined or left), and one standing by for the day turns whether
   * the leading one stopped; default 2 s.
   */
  standbyCheckMs?: number;
  /** Partitions of a new projection (an existing one keeps its count); default DEFAULT_PARTITIONS. */
  partitions?: number;
  /**
   * Called after each batch has committed (the change feed hooks in here);
   * the next batch waits for it, so what it publishes keeps the log's order.
   */
  onCommitted?: (result: BatchResult, lastPosition: string) => void | Promise<void>;
  /** Called after each turned day has committed, before the next batch. */
  onDayTurned?: (turn: DayTurn) => void | Promise<void>;
  /** Complaint service levels for the signal change feed; default DEFAULT_COMPLAINT_SLA. */
  complaintSla?: ComplaintSla;
  /** Called after deadlines that passed have been announced. */
  onDeadlinesPassed?: (alerts: SignalAlert[]) => void | Promise<void>;
  /** Fault injection, for tests only: see BatchOptions.faultInjector. */
  faultInjector?: BatchOptions['faultInjector'];
}

export interface Projector {
  /**
   * Follows the log and turns the days until the signal aborts; retries
   * after failures from the checkpoint, backing off. One projector leads at
   * a time: others stand by until it stops. When the database goes away the
   * leadership (a session lock) goes with it: the projector backs off, takes
   * it again and goes on from the checkpoint.
   */
  run(signal: AbortSignal): Promise<void>;
  /** Processes everything up to the current end of the log, then returns. */
  catchUp(): Promise<number>;
  /** Turns every day up to today (by `now`); returns the turned days. */
  turnDays(): Promise<DayTurn[]>;
  /** Announces the promise and complaint deadlines passed since the last call (by `now`). */
  announceDeadlines(): Promise<SignalAlert[]>;
  /** Position of the last committed batch. */
  checkpoint(): Promise<string | null>;
}

/** Retries after a failed batch or a lost database: 0.5 s doubling up to 30 s, jittered. */
const RETRY_BACKOFF = { initialMs: 500, maxMs: 30_000 };
const tracer = trace.getTracer('@crh/read-models');
const PREPARE_LOCK = 'crh.projector.relationships.prepare';

/** A batch read for some partitions: their events, prepared, and how far the log was read. */
interface PartitionBatch extends PreparedBatch {
  held: readonly number[];
  count: number;
  upTo: string;
}

/** The held partitions' events of a batch read from the log, prepared (the rest is passed over unparsed). */
function forPartitions(
  records: readonly RecordedEvent[],
  held: readonly number[],
  count: number,
): PartitionBatch {
  const wanted = new Set(held);
  const mine =
    wanted.size === count ? records : records.filter((r) => wanted.has(partitionOf(r.customerId, count)));
  return { ...prepareRelationshipBatch(mine), held, count, upTo: records.at(-1)!.position };
}

/** The lowest of some checkpoints (null, "from the start", when one is null). */
function lowest(positions: readonly (string | null)[]): string | null {
  let min: string | undefined;
  for (const p of positions) {
    if (p === null) return null;
    if (min === undefined || p < min) min = p;
  }
  return min ?? null;
}

export function createProjector(deps: ProjectorDeps): Projector {
  const { store, pool, logger, context, batchSize } = deps;
  const now = deps.now ?? (() => new Date());
  const today = (): LocalDate => localDateOf(now(), context.timeZone);
  const histories = withoutSkipped(historyFromStore(store), pool);
  const fingerprint = readModelFingerprint(context);
  const checkpoint = () => readCheckpoint(pool, RELATIONSHIPS_PROJECTION);

  // A (re)build over an existing log announces nothing until it has passed
  // the head it started from: dashboards want changes, not the whole book.
  let quietUntil: string | null = null;
  let prepared: Promise<void> | undefined;
  const prepare = () => {
    if (prepared) return prepared;
    const preparing = (async () => {
      const status = await ensureReadModelsMatch(pool, context, await store.headPosition());
      quietUntil = status.quietUntil;
      // Built with another configuration, or never built over this log:
      // build up to the head, customer by customer, quietly (the whole book
      // again is no news); the old rows serve until the build commits.
      // What comes after that head is news, projected and announced batch
      // by batch.
      if (status.state !== 'current' && quietUntil !== null) {
        if (status.state === 'rebuilding') {
          logger.warn(
            {},
            'read models were built with another configuration; rebuilding them from the log while the old ones serve',
          );
        }
        const started = Date.now();
        const built = await buildRelationships(pool, store, context, quietUntil, now, {
          faultInjector: deps.faultInjector,
        });
        if (built) {
          const { upTo, ...figures } = built;
          quietUntil = upTo;
          logger.info({ ...figures, ms: Date.now() - started }, 'read models built from the log');
        }
      }
      // Caught up with the head the build started from: from here on,
      // day turns and batches are news.
      const applied = await checkpoint();
      if (quietUntil !== null && applied !== null && applied >= quietUntil) quietUntil = null;
    })().catch((error: unknown) => {
      // e.g. the database was not reachable: the next caller tries again.
      if (prepared === preparing) prepared = undefined;
      throw error;
    });
    prepared = preparing;
    return preparing;
  };

  // When the last applied event was recorded: how far the read models are
  // up to date while the projector is behind the log.
  let appliedRecordedAt: Date | null = null;

  // The day the change feed was last turned to, as far as this process knows.
  let turnedThrough: LocalDate | null = null;

  async function turn(): Promise<DayTurn[]> {
    await prepare();
    const day = today();
    const turns = await turnDays(pool, context.timeZone, day, quietUntil === null);
    turnedThrough = day;
    for (const t of turns) {
      logger.info({ day: t.day, changes: t.changes.length }, 'day turned');
      await deps.onDayTurned?.(t);
    }
    return turns;
  }

  // One span per batch (tracing on; a no-op otherwise), its own trace,
  // linked to the requests that appended its events: a batch mixes events
  // of many requests, so it is linked to them rather than a child of one.
  // Its queries and the change feed's publishing are its children.
  async function apply(batch: PreparedBatch, announce: boolean, partitions: BatchPartitions): Promise<void> {
    const first = batch.records[0];
    const last = batch.records.at(-1);
    if (!first || !last) {
      // Nothing of these partitions in the stretch read: they are still
      // applied up to its end (the overall checkpoint, the lowest, moves on).
      await writePartitionCheckpoints(pool, RELATIONSHIPS_PROJECTION, partitions.held, partitions.upTo);
      return;
    }
    await tracer.startActiveSpan(
      'projector.batch',
      {
        root: true,
        kind: SpanKind.CONSUMER,
        links: traceLinksOf(batch.records),
        attributes: {
          'crh.batch.events': batch.records.length,
          'crh.batch.first_position': first.position,
          'crh.batch.last_position': last.position,
          'crh.batch.announce': announce,
        },
      },
      async (span) => {
        try {
          await applyTraced(batch, announce, last, partitions);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  // Read models and checkpoint commit together: a crash between batches
  // replays at most the uncommitted batch, and replay is idempotent.
  async function applyTraced(
    batch: PreparedBatch,
    announce: boolean,
    last: PreparedBatch['records'][number],
    partitions: BatchPartitions,
  ): Promise<void> {
    const client = await pool.connect();
    let result: BatchResult;
    try {
      // No fsync wait for rows alone: read models are rebuildable, and rows
      // and checkpoint commit together, so a crash loses at most a recent
      // batch, projected again from the older checkpoint. A batch that
      // announces changes waits: the feed is not rebuilt.
      await client.query('begin; set local synchronous_commit = off');
      result = await applyPreparedBatch(
        client,
        batch,
        context,
        histories,
        {
          announce,
          now,
          fingerprint,
          complaintSla: deps.complaintSla,
          faultInjector: deps.faultInjector,
        },
        partitions,
      );
      if (result.statusChanges.length > 0 || result.alerts.length > 0) {
        await client.query('set local synchronous_commit = on');
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    appliedRecordedAt = new Date(last.recordedAt);
    if (result.parked > 0)
      logger.warn(
        { parked: result.parked, position: last.position },
        'parked events (unreadable, or of a customer blocked by a poison event: see crh parked list)',
      );
    await deps.onCommitted?.(result, last.position);
  }

  async function handle(batch: PartitionBatch): Promise<void> {
    await prepare();
    // A new day first, so a contact dated today is announced as what it is.
    if (turnedThrough !== today()) await turn();
    const { held, count, upTo } = batch;
    const quiet = quietUntil;
    if (quiet === null) return apply(batch, true, { held, count, upTo });
    if (upTo <= quiet) {
      await apply(batch, false, { held, count, upTo });
      if (upTo === quiet) quietUntil = null;
      return;
    }
    // The batch that passes the head: its older part quietly, the rest announced.
    const older = batch.records.filter((r) => r.position <= quiet);
    await apply(prepareRelationshipBatch(older), false, { held, count, upTo: quiet });
    quietUntil = null;
    const newer = batch.records.filter((r) => r.position > quiet);
    await apply(prepareRelationshipBatch(newer), true, { held, count, upTo });
  }

  async function deadlines(): Promise<SignalAlert[]> {
    await prepare();
    // A deadline is missed only if the read models, up to date, say so: after
    // downtime the backlog may hold the PromiseKept. Up to the head: now;
    // behind it: no later than the last applied event was recorded.
    const [head, applied] = await Promise.all([store.headPosition(), checkpoint()]);
    const caughtUp = head === null || (applied !== null && applied >= head);
    const until = caughtUp
      ? now()
      : appliedRecordedAt && new Date(Math.min(now().getTime(), appliedRecordedAt.getTime()));
    if (!until) return [];
    const sla = deps.complaintSla ?? DEFAULT_COMPLAINT_SLA;
    const alerts = await announcePassedDeadlines(pool, sla, until, today());
    if (alerts.length > 0) {
      logger.info({ alerts: alerts.length }, 'deadlines passed');
      await deps.onDeadlinesPassed?.(alerts);
    }
    return alerts;
  }

  /**
   * Checks for a new day and for passed deadlines every dayTurnCheckMs until
   * aborted; failures are retried at the next check.
   */
  async function turnDaysUntil(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // The holder of partition 0 keeps the clock: one process at a time
      // (and should two overlap a moment, a day turns once: under the clock's lock).
      const leading = following !== undefined && !following.lost.aborted && following.held().includes(0);
      if (leading) {
        try {
          if (turnedThrough !== today()) await turn();
          await deadlines();
        } catch (error) {
          if (!signal.aborted)
            logger.error({ err: error }, 'day turn or deadlines failed; retrying at the next check');
        }
      }
      const checkMs = deps.dayTurnCheckMs ?? 15_000;
      await sleep(leading ? checkMs : Math.min(checkMs, deps.standbyCheckMs ?? 2_000), signal);
    }
  }

  // The partitions this process follows the log for (while it runs).
  let following: PartitionLeases | undefined;

  // The partition count, created with the projection's first run.
  let partitionCount: number | undefined;
  const partitions = async () => {
    partitionCount ??= await ensurePartitions(
      pool,
      RELATIONSHIPS_PROJECTION,
      deps.partitions ?? DEFAULT_PARTITIONS,
    );
    return partitionCount;
  };

  /**
   * Reads the log for the held partitions from the lowest of their
   * checkpoints, until the signal aborts or the partitions should change
   * hands (checked every standbyCheckMs and after each batch).
   */
  async function followHeld(leases: PartitionLeases, count: number, signal: AbortSignal): Promise<void> {
    const held = leases.held();
    const checkpoints = await readPartitionCheckpoints(pool, RELATIONSHIPS_PROJECTION);
    const after = lowest(held.map((p) => checkpoints.get(p) ?? null));
    logger.info({ after, partitions: held }, 'projector following the log');
    const restart = new AbortController();
    const checkMs = deps.standbyCheckMs ?? 2_000;
    const watch = setInterval(() => {
      leases.unbalanced().then(
        (unbalanced) => unbalanced && restart.abort(),
        () => undefined, // the connection's failure aborts leases.lost
      );
    }, checkMs);
    try {
      const reading = AbortSignal.any([signal, restart.signal]);
      const batches = store.subscribeAll({ after, batchSize, signal: reading });
      for await (const batch of readAhead(batches, (records) => forPartitions(records, held, count))) {
        await handle(batch);
        if (restart.signal.aborted) break;
      }
    } finally {
      clearInterval(watch);
    }
  }

  async function followLog(signal: AbortSignal): Promise<void> {
    const backoff = createBackoff(RETRY_BACKOFF);
    while (!signal.aborted) {
      let leases: PartitionLeases | undefined;
      try {
        await preparedOnce();
        const count = await partitions();
        leases = await openPartitionLeases(pool, RELATIONSHIPS_PROJECTION, count);
        following = leases;
        const held = AbortSignal.any([signal, leases.lost]);
        while (!held.aborted) {
          if (await leases.rebalance())
            logger.info({ partitions: leases.held() }, 'projector partitions changed hands');
          if (leases.held().length === 0) {
            await sleep(deps.standbyCheckMs ?? 2_000, held);
            continue;
          }
          await followHeld(leases, count, held);
          backoff.reset();
        }
        if (leases.lost.aborted && !signal.aborted) throw leases.lost.reason;
      } catch (error) {
        if (signal.aborted) break;
        const delay = backoff.next();
        logger.error(
          { err: error },
          error instanceof LockLostError || leases?.lost.aborted
            ? `projector lost the database or its partitions; taking them again from their checkpoints in ${delay} ms`
            : `projection failed; retrying from the checkpoints in ${delay} ms`,
        );
        await sleep(delay, signal);
      } finally {
        following = undefined;
        await leases?.close().catch(() => undefined);
      }
    }
  }

  // One process builds the read models when they need it; another starting
  // meanwhile waits for that and finds them current.
  let preparing: Promise<void> | undefined;
  const preparedOnce = () => {
    preparing ??= whileHoldingLock(pool, PREPARE_LOCK, null, prepare).then(
      () => undefined,
      (error: unknown) => {
        preparing = undefined;
        throw error;
      },
    );
    return preparing;
  };

  return {
    checkpoint,
    turnDays: turn,
    announceDeadlines: deadlines,
    async catchUp() {
      await preparedOnce();
      const count = await partitions();
      const leases = await openPartitionLeases(pool, RELATIONSHIPS_PROJECTION, count);
      try {
        await leases.takeAll();
        const held = leases.held();
        let processed = 0;
        const batches = readToEnd(store, await checkpoint(), batchSize);
        for await (const batch of readAhead(batches, (records) => forPartitions(records, held, count))) {
          await handle(batch);
          processed += batch.records.length;
        }
        return processed;
      } finally {
        await leases.close();
      }
    },
    async run(signal) {
      // Every process follows the log for the partitions it holds; the one
      // holding partition 0 also turns the days and announces deadlines.
      await Promise.all([followLog(signal), turnDaysUntil(signal)]);
    },
  };
}
