import type { EventStore, RecordedEvent } from '@crh/event-store';
import type { Pool } from 'pg';
import { readCheckpoint } from './checkpoints.ts';
import { historyFromStore } from './customer-history.ts';
import { readAhead } from './read-ahead.ts';
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
  /** Called after each batch has committed (the change feed hooks in here). */
  onCommitted?: (result: BatchResult, lastPosition: string) => void;
}

export interface Projector {
  /** Follows the log until the signal aborts; retries after failures from the checkpoint. */
  run(signal: AbortSignal): Promise<void>;
  /** Processes everything up to the current end of the log, then returns. */
  catchUp(): Promise<number>;
  /** Position of the last committed batch. */
  checkpoint(): Promise<string | null>;
}

const RETRY_DELAY_MS = 1000;

export function createProjector(deps: ProjectorDeps): Projector {
  const { store, pool, logger, context, batchSize } = deps;
  const histories = historyFromStore(store);

  // Read models and checkpoint commit together: a crash between batches
  // replays at most the uncommitted batch, and replay is idempotent.
  async function applyInTransaction(batch: PreparedBatch): Promise<BatchResult> {
    const client = await pool.connect();
    try {
      // No fsync wait per batch: read models are rebuildable, and rows and
      // checkpoint commit together, so a crash can only lose a whole recent
      // batch, which is then projected again from the older checkpoint.
      await client.query('begin; set local synchronous_commit = off');
      const result = await applyPreparedBatch(client, batch, context, histories);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function handle(batch: PreparedBatch): Promise<void> {
    const last = batch.records.at(-1);
    if (!last) return;
    const result = await applyInTransaction(batch);
    if (result.parked > 0) logger.warn({ parked: result.parked, position: last.position }, 'parked events');
    deps.onCommitted?.(result, last.position);
  }

  const checkpoint = () => readCheckpoint(pool, RELATIONSHIPS_PROJECTION);

  return {
    checkpoint,
    async catchUp() {
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
      while (!signal.aborted) {
        try {
          const after = await checkpoint();
          logger.info({ after }, 'projector following the log');
          const batches = store.subscribeAll({ after, batchSize, signal });
          for await (const batch of readAhead(batches, prepareRelationshipBatch)) {
            await handle(batch);
          }
        } catch (error) {
          if (signal.aborted) break;
          logger.error({ err: error }, `projection failed; retrying from checkpoint in ${RETRY_DELAY_MS} ms`);
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
    },
  };
}
