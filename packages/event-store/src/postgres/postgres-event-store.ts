import { type MigrationPlan, pendingMigrations, runMigrations } from '@crh/postgres';
import type pg from 'pg';
import type {
  AppendEvent,
  AppendOutcome,
  EventStore,
  NewestFirstPage,
  ReadAllOptions,
  RecordedEvent,
  ReplayOptions,
  SubscribeOptions,
} from '../port.ts';
import { replayEnd } from '../replay-lines.ts';
import { activeTraceContext } from '../trace-context.ts';
import {
  APPEND_SQL,
  APPEND_TRACED_SQL,
  type AppendRow,
  appendParams,
  ID_CONFLICT,
  pgErrorCode,
  RETRYABLE_APPEND_ERRORS,
  toAppendOutcomes,
  toIdConflict,
  toWrongExpectedRevision,
  WRONG_EXPECTED_REVISION,
} from './append-batch.ts';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.ts';
import { EVENT_STORE_MIGRATIONS_TABLE, eventStoreMigrations } from './event-store-migrations.ts';
import { newestFirstQuery } from './newest-first-query.ts';
import { NotificationWaker } from './notification-waker.ts';
import { decodePosition, encodePosition } from './position.ts';
import { HORIZON_SQL, parameters, readAllQuery, readableBelow } from './read-all-query.ts';
import { countQuery, replayPageQuery } from './replay-query.ts';

const REPLAY_PAGE = 2_000;
const EVENT_STORE_PLAN: MigrationPlan = {
  table: EVENT_STORE_MIGRATIONS_TABLE,
  migrations: eventStoreMigrations,
};

export interface PostgresEventStoreOptions {
  pool: pg.Pool;
  /** End the pool on close(); default false (the caller shares it). */
  ownsPool?: boolean;
  /** How often a caught-up subscription re-reads without a notification; default 250 ms. */
  pollIntervalMs?: number;
}

export const EVENTS_CHANNEL = 'crh_events';
const APPEND_ATTEMPTS = 3;
const DEFAULT_BATCH_SIZE = 500;

/** The event log in PostgreSQL: see migration 002 and read-all-query.ts for the ordering argument. */
export class PostgresEventStore implements EventStore {
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #pollIntervalMs: number;
  // Aborted by close(): running subscriptions stop and release their connection.
  readonly #closing = new AbortController();
  readonly #subscriptions = new Set<AsyncGenerator<RecordedEvent[]>>();

  private constructor(options: PostgresEventStoreOptions) {
    this.#pool = options.pool;
    this.#ownsPool = options.ownsPool ?? false;
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  static create(options: PostgresEventStoreOptions): PostgresEventStore {
    return new PostgresEventStore(options);
  }

  migrate(): Promise<void> {
    return runMigrations(this.#pool, EVENT_STORE_PLAN);
  }

  pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.#pool, EVENT_STORE_PLAN);
  }

  async eraseStoredPlaintext(customerId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('select crh.erase_stored_plaintext($1) as n', [
      customerId,
    ]);
    return rows[0]!.n;
  }

  async append(events: readonly AppendEvent[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return [];
    // Under a span (tracing on), the span's context goes beside the events.
    const traceContext = activeTraceContext();
    const [sql, params] =
      traceContext === null
        ? [APPEND_SQL, appendParams(events)]
        : [APPEND_TRACED_SQL, [...appendParams(events), traceContext]];
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.#pool.query<AppendRow>(sql, params);
        return toAppendOutcomes(events, rows);
      } catch (error) {
        const code = pgErrorCode(error);
        if (code === WRONG_EXPECTED_REVISION) throw toWrongExpectedRevision(error);
        if (code === ID_CONFLICT) throw toIdConflict(error);
        if (code !== undefined && RETRYABLE_APPEND_ERRORS.has(code) && attempt < APPEND_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  async readStream(
    customerId: string,
    options: { fromRevision?: number; limit?: number } = {},
  ): Promise<RecordedEvent[]> {
    // No xmin filter here: appends to one stream are serialised by its lock,
    // so a stream never shows revision n + 1 without n.
    const { rows } = await this.#pool.query<EventRow>(
      `select ${EVENT_COLUMNS} from crh.events
       where stream_id = $1 and revision >= $2
       order by revision
       limit $3`,
      [`customer-${customerId}`, options.fromRevision ?? 0, options.limit ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readStreams(customerIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const streams = new Map<string, RecordedEvent[]>();
    if (customerIds.length === 0) return streams;
    const { rows } = await this.#pool.query<EventRow>(
      `select ${EVENT_COLUMNS} from crh.events
       where stream_id = any($1::text[])
       order by stream_id, revision`,
      [customerIds.map((id) => `customer-${id}`)],
    );
    for (const row of rows) {
      const event = toRecordedEvent(row);
      const stream = streams.get(event.customerId);
      if (stream) stream.push(event);
      else streams.set(event.customerId, [event]);
    }
    return streams;
  }

  /** One statement for every page: see newest-first-query.ts. */
  async readNewestFirst(pages: readonly NewestFirstPage[]): Promise<RecordedEvent[][]> {
    const answers = pages.map((): RecordedEvent[] => []);
    if (pages.length === 0) return answers;
    const { rows } = await this.#pool.query<EventRow & { page: string }>(newestFirstQuery(pages));
    for (const row of rows) answers[Number(row.page) - 1]!.push(toRecordedEvent(row));
    return answers;
  }

  /**
   * Pages through the (stream_id, revision) index with a keyset, so each
   * page is one index range; events after `upTo` are left out. The last
   * stream of a page may go on in the next one, so it is held back until it
   * ends.
   */
  async *readStreamsUpTo(
    upTo: string,
    options: { batchSize?: number } = {},
  ): AsyncGenerator<RecordedEvent[][]> {
    const { txId, position } = decodePosition(upTo);
    const limit = options.batchSize ?? 10_000;
    const columns = `${EVENT_COLUMNS}, stream_id`;
    const upToPosition = '(tx_id, position) <= ($1::xid8, $2::bigint)';
    let after: { stream: string; revision: string } | null = null;
    let open: RecordedEvent[] = [];
    for (;;) {
      const page: pg.QueryResult<EventRow & { stream_id: string }> = await this.#pool.query(
        after === null
          ? `select ${columns} from crh.events where ${upToPosition} order by stream_id, revision limit $3`
          : `select ${columns} from crh.events where (stream_id, revision) > ($4, $5::bigint) and ${upToPosition}
             order by stream_id, revision limit $3`,
        after === null ? [txId, position, limit] : [txId, position, limit, after.stream, after.revision],
      );
      const streams: RecordedEvent[][] = [];
      for (const row of page.rows) {
        const event = toRecordedEvent(row);
        if (open.length > 0 && open[0]!.customerId !== event.customerId) {
          streams.push(open);
          open = [];
        }
        open.push(event);
      }
      const last = page.rows.at(-1);
      if (!last) break;
      after = { stream: last.stream_id, revision: last.revision };
      if (streams.length > 0) yield streams;
    }
    if (open.length > 0) yield [open];
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const { rows } = await this.#pool.query<EventRow>(readAllQuery(options, await this.#horizon()));
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<string | null> {
    const { values, param } = parameters();
    const below = readableBelow(await this.#horizon(), param);
    const { rows } = await this.#pool.query<{ tx_id: string; position: string }>(
      `select tx_id, position from crh.events where ${below} order by tx_id desc, position desc limit 1`,
      values,
    );
    const row = rows[0];
    return row ? encodePosition(row.tx_id, row.position) : null;
  }

  /** The log's readable horizon, in a statement of its own (see read-all-query.ts). */
  async #horizon(): Promise<string> {
    const { rows } = await this.#pool.query<{ horizon: string }>(HORIZON_SQL);
    return rows[0]!.horizon;
  }

  /**
   * Pages of 10,000 lines built by PostgreSQL, each yielded as one chunk
   * before the next is read: memory stays at a page whatever the size, and
   * a slow reader slows the reads (the caller awaits between chunks).
   */
  async *replay(options: ReplayOptions): AsyncGenerator<string> {
    const upTo = await replayEnd(this, options.upTo);
    if (upTo === null) return;
    let after = options.after ?? null;
    let left = options.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const limit = Math.min(REPLAY_PAGE, left);
      const { rows } = await this.#pool.query<[string, string, string]>({
        ...replayPageQuery(options, after, upTo, limit),
        rowMode: 'array',
      });
      if (rows.length === 0) return;
      let chunk = '';
      for (const row of rows) chunk += `${row[0]}\n`;
      yield chunk;
      if (rows.length < limit) return;
      left -= rows.length;
      const last = rows.at(-1)!;
      after = encodePosition(last[1], last[2]);
    }
  }

  async countEvents(options: ReplayOptions): Promise<number> {
    const upTo = await replayEnd(this, options.upTo);
    if (upTo === null) return 0;
    const { rows } = await this.#pool.query<{ n: string }>(countQuery(options, upTo));
    const n = Number(rows[0]?.n ?? 0);
    return options.limit === undefined ? n : Math.min(n, options.limit);
  }

  subscribeAll(options: SubscribeOptions): AsyncGenerator<RecordedEvent[]> {
    // The body only runs on the first next(), after `subscription` is assigned.
    const subscription = this.#subscribe(options, () => this.#subscriptions.delete(subscription));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async *#subscribe(options: SubscribeOptions, onEnd: () => void): AsyncGenerator<RecordedEvent[]> {
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#closing.signal])
      : this.#closing.signal;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let after = options.after ?? null;
    let waker: NotificationWaker | undefined;
    try {
      if (signal.aborted) return;
      // Listen before the first read, so no commit can slip between them unnoticed.
      waker = await NotificationWaker.open(this.#pool, EVENTS_CHANNEL);
      while (!signal.aborted) {
        waker.arm();
        const batch = await this.readAll({ after, limit: batchSize });
        const last = batch.at(-1);
        if (last) {
          after = last.position;
          yield batch;
        }
        // A full batch means there is probably more: read again at once.
        if (batch.length < batchSize) await waker.wait(this.#pollIntervalMs, signal);
      }
    } finally {
      await waker?.close();
      onEnd();
    }
  }

  async close(): Promise<void> {
    this.#closing.abort();
    // return() also ends a subscription whose consumer has stopped pulling
    // (suspended at a yield), so every LISTEN connection is closed.
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subscriptions.map((subscription) => subscription.return(undefined)));
    if (this.#ownsPool) await this.#pool.end();
  }
}

export function createPostgresEventStore(options: PostgresEventStoreOptions): PostgresEventStore {
  return PostgresEventStore.create(options);
}
