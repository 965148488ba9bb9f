import { localDateOf } from '@crh/domain';
import type { EventStore, RecordedEvent } from '@crh/event-store';
import type { Pool } from 'pg';
import { readCheckpoint } from './checkpoints.ts';
import { historyFromStore } from './customer-history.ts';
import { type DayTurn, turnDays } from './day-turn.ts';
import { readAhead } from './read-ahead.ts';
import { ensureReadModelsMatch } from './read-model-fingerprint.ts';
import {
  applyPreparedBatch,
  type BatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
  RELATIONSHIPS_PROJECTION,
} from './relationship-projection.ts';

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
  /** Called after each batch has committed (the change feed hooks in here). */
  onCommitted?: (result: BatchResult, lastPosition: string) => void;
  /** Called after each turned day has committed. */
  onDayTurned?: (turn: DayTurn) => void;
}

export interface Projector {
  /** Follows the log and turns the days until the signal aborts; retries after failures from the checkpoint. */
  run(signal: AbortSignal): Promise<void>;
  /** Processes everything up to the current end of the log, then returns. */
  catchUp(): Promise<number>;
  /** Turns every day up to today (by `now`); returns the turned days. */
  turnDays(): Promise<DayTurn[]>;
  /** Position of the last committed batch. */
  checkpoint(): Promise<string | null>;
}

const RETRY_DELAY_MS = 1000;

export function createProjector(deps: ProjectorDeps): Projector {
  const { store, pool, logger, context, batchSize } = deps;
  const now = deps.now ?? (() => new Date());
  const histories = historyFromStore(store);
  const checkpoint = () => readCheckpoint(pool, RELATIONSHIPS_PROJECTION);

  // A (re)build over an existing log announces nothing until it has passed
  // the head it started from: dashboards want changes, not the whole book.
  let quietUntil: string | null = null;
  let prepared: Promise<void> | undefined;
  const prepare = () => {
    prepared ??= (async () => {
      const status = await ensureReadModelsMatch(pool, context, await store.headPosition());
      if (status.state === 'rebuilding') {
        logger.warn({}, 'read models were built with another configuration; rebuilding from the log');
      }
      quietUntil = status.quietUntil;
    })();
    return prepared;
  };

  // Read models and checkpoint commit together: a crash between batches
  // replays at most the uncommitted batch, and replay is idempotent.
  async function handle(batch: PreparedBatch): Promise<void> {
    const last = batch.records.at(-1);
    if (!last) return;
    await prepare();
    const announce = quietUntil === null || last.position > quietUntil;
    const client = await pool.connect();
    let result: BatchResult;
    try {
      // No fsync wait per batch: read models are rebuildable, and rows and
      // checkpoint commit together, so a crash can only lose a whole recent
      // batch, which is then projected again from the older checkpoint.
      await client.query('begin; set local synchronous_commit = off');
      result = await applyPreparedBatch(client, batch, context, histories, {
        announce,
        now,
      });
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (quietUntil !== null && last.position >= quietUntil) quietUntil = null;
    if (result.parked > 0) logger.warn({ parked: result.parked, position: last.position }, 'parked events');
    deps.onCommitted?.(result, last.position);
  }

  async function turn(): Promise<DayTurn[]> {
    await prepare();
    const turns = await turnDays(
      pool,
      context.timeZone,
      localDateOf(now(), context.timeZone),
      quietUntil === null,
    );
    for (const t of turns) {
      logger.info({ day: t.day, changes: t.changes.length }, 'day turned');
      deps.onDayTurned?.(t);
    }
    return turns;
  }

  /** Checks for a new day every dayTurnCheckMs until aborted; failures are retried at the next check. */
  async function turnDaysUntil(signal: AbortSignal): Promise<void> {
    const interval = deps.dayTurnCheckMs ?? 15_000;
    let today = '';
    while (!signal.aborted) {
      const day = localDateOf(now(), context.timeZone);
      if (day !== today) {
        try {
          await turn();
          today = day;
        } catch (error) {
          if (!signal.aborted) logger.error({ err: error }, 'day turn failed; retrying at the next check');
        }
      }
      await sleep(interval, signal);
    }
  }

  async function followLog(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await prepare();
        const after = await checkpoint();
        logger.info({ after }, 'projector following the log');
        const batches = store.subscribeAll({ after, batchSize, signal });
        for await (const batch of readAhead(batches, prepareRelationshipBatch)) await handle(batch);
      } catch (error) {
        if (signal.aborted) break;
        prepared = undefined; // e.g. the database was not reachable yet
        logger.error({ err: error }, `projection failed; retrying from checkpoint in ${RETRY_DELAY_MS} ms`);
        await sleep(RETRY_DELAY_MS, signal);
      }
    }
  }

  return {
    checkpoint,
    turnDays: turn,
    async catchUp() {
      await prepare();
      let processed = 0;
      const start = await checkpoint();
      async function* toEnd(): AsyncGenerator<readonly RecordedEvent[]> {
        let after = start;
        for (;;) {
          const batch = await store.readAll({ after, limit: batchSize });
          if (batch.length === 0) return;
          yield batch;
          after = batch.at(-1)!.position;
        }
      }
      for await (const batch of readAhead(toEnd(), prepareRelationshipBatch)) {
        await handle(batch);
        processed += batch.records.length;
      }
      return processed;
    },
    async run(signal) {
      await Promise.all([followLog(signal), turnDaysUntil(signal)]);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
