import { NewestFirstSelection } from '../newest-first-selection.ts';
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
import { replayEnd, replayThroughReadAll } from '../replay-lines.ts';
import { appendBatch } from './append-batch.ts';
import { inParallel } from './bounded-parallel.ts';
import { connectEsdbLog } from './esdb-client.ts';
import { toRecordedEvent } from './esdb-event-mapping.ts';
import type { EsdbLog } from './esdb-log.ts';
import { encodeEsdbPosition } from './esdb-position.ts';
import { ledgerEvents, matchingEvents, type Namespace, namespaceBatches } from './log-reads.ts';
import { readStreamsUpTo } from './read-streams-up-to.ts';
import { StreamLedger } from './stream-ledger.ts';
import { StreamLocks } from './stream-locks.ts';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false` (or `kurrentdb://…`). */
  connectionString: string;
  /**
   * Streams are `<streamPrefix><customerId>`; default `customer-`. Every read
   * sees only streams with this prefix, so tests on a shared server each get
   * an empty log by choosing a prefix of their own.
   */
  streamPrefix?: string;
  /** How long a subscription waits for more events to fill a batch; default 5 ms. */
  batchLingerMs?: number;
  /** How many streams' event ids appends keep in memory (see StreamLedger); default 1000. */
  knownStreams?: number;
}

const DEFAULT_STREAM_PREFIX = 'customer-';
const DEFAULT_BATCH_SIZE = 500;
const PARALLEL_STREAM_READS = 16;

/**
 * The event log in EventStoreDB / KurrentDB, one stream per customer.
 *
 * Atomicity here is per stream, not per batch: EventStoreDB appends to one
 * stream at a time. A batch is appended as runs of consecutive events of one
 * stream (so positions follow input order, as on PostgreSQL), after every
 * expectedRevision of the batch has been checked against the streams as
 * they are, so a batch rejected for a wrong revision writes nothing. What
 * can still split a batch: a crash or lost connection between two runs, or
 * another process appending to a stream whose event carries an
 * expectedRevision between our check and our append (that append then
 * fails with WrongExpectedRevisionError after earlier runs were recorded).
 * Sending the same batch again completes it: recorded events come back as
 * duplicates.
 */
export class EventStoreDbEventStore implements EventStore {
  readonly #log: EsdbLog;
  readonly #prefix: string;
  readonly #lingerMs: number;
  readonly #ledger: StreamLedger;
  readonly #locks = new StreamLocks();
  readonly #closing = new AbortController();
  readonly #subscriptions = new Set<AsyncGenerator<RecordedEvent[]>>();

  private constructor(log: EsdbLog, options: Omit<EventStoreDbEventStoreOptions, 'connectionString'>) {
    this.#log = log;
    this.#prefix = options.streamPrefix ?? DEFAULT_STREAM_PREFIX;
    if (this.#prefix === '' || this.#prefix.startsWith('$')) {
      throw new RangeError(`streamPrefix must be non-empty and not a system prefix, got "${this.#prefix}"`);
    }
    this.#lingerMs = options.batchLingerMs ?? 5;
    this.#ledger = new StreamLedger(
      (stream, from) => ledgerEvents(this.#log.readStream(stream, { fromRevision: BigInt(from) })),
      options.knownStreams,
    );
  }

  /** A store over any EsdbLog (the real client, or an in-memory one in tests). */
  static overLog(
    log: EsdbLog,
    options: Omit<EventStoreDbEventStoreOptions, 'connectionString'> = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(log, options);
  }

  /** EventStoreDB needs no schema: this only checks that the server answers. */
  migrate(): Promise<void> {
    return this.#log.ping();
  }

  async pendingMigrations(): Promise<string[]> {
    await this.#log.ping();
    return [];
  }

  append(events: readonly AppendEvent[]): Promise<AppendOutcome[]> {
    return appendBatch(
      { log: this.#log, ledger: this.#ledger, locks: this.#locks, streamOf: this.#streamOf },
      events,
    );
  }

  async readStream(
    customerId: string,
    options: { fromRevision?: number; limit?: number } = {},
  ): Promise<RecordedEvent[]> {
    if (options.limit !== undefined && options.limit <= 0) return [];
    const events: RecordedEvent[] = [];
    const records = this.#log.readStream(this.#streamOf(customerId), {
      fromRevision: BigInt(options.fromRevision ?? 0),
      ...(options.limit === undefined ? {} : { maxCount: options.limit }),
    });
    for await (const record of records) {
      const event = toRecordedEvent(record, this.#prefix);
      if (event) events.push(event);
    }
    return events;
  }

  async readStreams(customerIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const unique = [...new Set(customerIds)];
    const read = await inParallel(unique, PARALLEL_STREAM_READS, (customerId) => this.readStream(customerId));
    const streams = new Map<string, RecordedEvent[]>();
    unique.forEach((customerId, i) => {
      if (read[i]!.length > 0) streams.set(customerId, read[i]!);
    });
    return streams;
  }

  /**
   * EventStoreDB orders a stream by revision (arrival) only, and a late
   * event can be of any age (nor is occurredAt bounded in the future), so no
   * revision marks where a page by occurredAt ends: each page reads its
   * whole stream. Reading forwards or backwards makes no difference to that;
   * the read streams through a selection that keeps only the page (at most
   * `limit` events), so memory is a page per stream read at once (16 at a
   * time), not a stream. The cost is I/O: a page of a stream of n events
   * reads n events (docs/architecture.md).
   */
  async readNewestFirst(pages: readonly NewestFirstPage[]): Promise<RecordedEvent[][]> {
    return inParallel(pages, PARALLEL_STREAM_READS, async (page) => {
      const selection = new NewestFirstSelection(page.limit, page.after);
      if (page.limit <= 0) return selection.events;
      for await (const record of this.#log.readStream(this.#streamOf(page.customerId), {
        fromRevision: 0n,
      })) {
        const event = toRecordedEvent(record, this.#prefix);
        if (event) selection.offer(event);
      }
      return selection.events;
    });
  }

  readStreamsUpTo(upTo: string, options: { batchSize?: number } = {}): AsyncGenerator<RecordedEvent[][]> {
    return readStreamsUpTo(
      {
        log: this.#log,
        streamPrefix: this.#prefix,
        readStreams: (streams) =>
          inParallel(streams, PARALLEL_STREAM_READS, ({ customerId, count }) =>
            this.readStream(customerId, { limit: count }),
          ),
      },
      upTo,
      options.batchSize ?? 10_000,
    );
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    const events: RecordedEvent[] = [];
    if (limit === 0) return events;
    // Leaving the loop cancels the read: a page costs what it returns plus what the filters skip.
    for await (const event of matchingEvents(this.#namespace, options)) {
      events.push(event);
      if (events.length >= limit) break;
    }
    return events;
  }

  async headPosition(): Promise<string | null> {
    const newestFirst = this.#log.readAll({
      from: 'end',
      direction: 'backwards',
      streamPrefix: this.#prefix,
    });
    for await (const record of newestFirst) {
      if (toRecordedEvent(record, this.#prefix)) return encodeEsdbPosition(record.position);
    }
    return null;
  }

  replay(options: ReplayOptions): AsyncIterable<string> {
    return replayThroughReadAll(this, options);
  }

  async countEvents(options: ReplayOptions): Promise<number> {
    const upTo = await replayEnd(this, options.upTo);
    if (upTo === null) return 0;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let count = 0;
    if (limit <= 0) return count;
    for await (const event of matchingEvents(this.#namespace, options)) {
      if (event.position > upTo) break;
      count += 1;
      if (count >= limit) break;
    }
    return count;
  }

  subscribeAll(options: SubscribeOptions): AsyncGenerator<RecordedEvent[]> {
    // The body only runs on the first next(), after `subscription` is assigned.
    const subscription = this.#subscribe(options, () => this.#subscriptions.delete(subscription));
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async *#subscribe(options: SubscribeOptions, onEnd: () => void): AsyncGenerator<RecordedEvent[]> {
    try {
      yield* namespaceBatches(this.#namespace, {
        ...options,
        batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
        lingerMs: this.#lingerMs,
        signal: options.signal
          ? AbortSignal.any([options.signal, this.#closing.signal])
          : this.#closing.signal,
      });
    } finally {
      onEnd();
    }
  }

  async close(): Promise<void> {
    this.#closing.abort();
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subscriptions.map((subscription) => subscription.return(undefined)));
    await this.#log.dispose();
  }

  readonly #streamOf = (customerId: string): string => `${this.#prefix}${customerId}`;

  get #namespace(): Namespace {
    return { log: this.#log, streamPrefix: this.#prefix };
  }
}

export function createEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStoreDbEventStore {
  return EventStoreDbEventStore.overLog(connectEsdbLog(options.connectionString), options);
}
