/**
 * The event store port. Every adapter (PostgreSQL, EventStoreDB) implements it
 * and must pass the shared contract suite in `testing/contract-suite.ts`.
 *
 * The port is deliberately CRH-shaped rather than generic: a stream is always
 * `customer-<customerId>`, and the envelope fields (docs/api/events.md) are
 * first-class so adapters can index what the replay API filters on.
 */

/** An event as the client sent it (already validated by the domain). */
export interface AppendEvent {
  id: string;
  type: string;
  customerId: string;
  /** ISO 8601 UTC instant, normalised by the domain validator. */
  occurredAt: string;
  actorId?: string | undefined;
  data: unknown;
  metadata?: Record<string, unknown> | undefined;
  /**
   * The stream revision this event expects to follow: -1 means the stream must
   * not exist yet, n means the last event of the stream has revision n.
   * Checked against the stream as it is just before this event is appended
   * (so a second event of the same customer in one batch expects n + 1).
   */
  expectedRevision?: number | undefined;
}

/** An event as stored: the envelope plus what the store assigned. */
export interface RecordedEvent {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  actorId: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
  /** Global, increasing, opaque; fixed width so string order is log order. */
  position: string;
  /** Per stream, from 0. */
  revision: number;
  recordedAt: string;
  /**
   * Set when the event held personal data and its customer's key was erased
   * since: its personal fields and metadata read null (docs/erasure.md).
   */
  erased?: true;
}

export interface AppendOutcome {
  id: string;
  status: 'recorded' | 'duplicate';
  position: string;
  revision: number;
}

export interface ReadAllOptions {
  /** Exclusive start position; null/undefined reads from the beginning. */
  after?: string | null | undefined;
  limit: number;
  types?: readonly string[] | undefined;
  customerId?: string | undefined;
  /** Inclusive bounds on occurredAt. */
  from?: Date | undefined;
  to?: Date | undefined;
}

/** What a replay reads: the global log, filtered, up to a fixed end. */
export interface ReplayOptions {
  /** Exclusive start position; null/undefined: from the beginning. */
  after?: string | null | undefined;
  /**
   * Inclusive end position: the replay stops there even while appends go
   * on. Null/undefined: the head when the replay starts.
   */
  upTo?: string | null | undefined;
  /** Only these types (empty or absent: all). */
  types?: readonly string[] | undefined;
  customerId?: string | undefined;
  /** Inclusive bounds on occurredAt. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** At most this many events. */
  limit?: number | undefined;
}

/** Where a newest-first page of one stream starts: after the last event of the page before. */
export interface TimeKey {
  occurredAt: string;
  position: string;
}

/** One page of one customer's stream, newest first (see EventStore.readNewestFirst). */
export interface NewestFirstPage {
  customerId: string;
  /** Exclusive: only events older than this key; null/undefined: from the newest. */
  after?: TimeKey | null | undefined;
  /** At most this many events. */
  limit: number;
}

export interface SubscribeOptions {
  after?: string | null | undefined;
  batchSize?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface EventStore {
  /** Creates or upgrades the store's schema; safe to call on every start. */
  migrate(): Promise<void>;
  /**
   * The schema's migrations not applied yet (none for a store without a
   * schema): what a service that may not change the schema checks instead
   * of migrating. Reads only.
   */
  pendingMigrations(): Promise<string[]>;
  /**
   * Appends a batch atomically: either every event is recorded (or found to be
   * a duplicate by id) or nothing is. Outcomes are in input order. Throws
   * WrongExpectedRevisionError when an expectedRevision does not hold, and
   * IdConflictError when an id is already stored, or earlier in the batch,
   * with other content: an id is a duplicate only when its whole envelope
   * (type, customerId, occurredAt, actorId, data, metadata; JSON compared
   * structurally, instants as instants) is the same.
   */
  append(events: readonly AppendEvent[]): Promise<AppendOutcome[]>;
  /** One customer's stream in revision order. */
  readStream(
    customerId: string,
    options?: { fromRevision?: number; limit?: number },
  ): Promise<RecordedEvent[]>;
  /**
   * Several customers' whole streams, each in revision order (customers with
   * no events are absent). One round trip where the adapter allows: the
   * projector re-reads the histories of customers that received late events.
   */
  readStreams(customerIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /**
   * A page of each of several customers' streams, newest first: by
   * occurredAt descending, then log position descending (so a late event
   * lands in its occurredAt place), each starting after its `after` key.
   * Answers in request order, one list per page asked (empty for a customer
   * without events). What a timeline reads: only the page, never the whole
   * stream in memory, and one round trip for a whole list where the adapter
   * allows.
   */
  readNewestFirst(pages: readonly NewestFirstPage[]): Promise<RecordedEvent[][]>;
  /**
   * Every stream's events at or before the log position `upTo`, stream after
   * stream, each in revision order, in batches of whole streams (a stream is
   * never split between batches). What a read model is rebuilt from,
   * customer by customer, instead of replaying the log in time order.
   */
  readStreamsUpTo(upTo: string, options?: { batchSize?: number }): AsyncIterable<RecordedEvent[][]>;
  /**
   * One batch of the global log in order, never skipping an event that a
   * still-running append will commit later (gap-free reads).
   */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the last readable event, or null for an empty log. */
  headPosition(): Promise<string | null>;
  /**
   * The replay API's body: each matching event's stored envelope (as
   * `toEnvelope` shapes it) as one JSON line ending in a newline, in global
   * order, yielded in chunks of whole lines as they are read, so any size
   * streams in constant memory. Stops at `upTo` (default: the head when it
   * starts) or after `limit` events.
   */
  replay(options: ReplayOptions): AsyncIterable<string>;
  /** How many events a replay with these options would give (for progress and ETA). */
  countEvents(options: ReplayOptions): Promise<number>;
  /**
   * Catch-up subscription: yields batches from `after` to the end of the log,
   * then keeps yielding new batches as they are committed, until aborted.
   */
  subscribeAll(options: SubscribeOptions): AsyncIterable<RecordedEvent[]>;
  /**
   * An erased customer's personal values stored before sealing (plaintext)
   * replaced by null in place; returns how many events changed. The one
   * rewrite of stored events besides `crh encrypt-existing`
   * (docs/erasure.md). Absent where the log cannot be rewritten
   * (EventStoreDB): there such plaintext stays until the stream is dropped.
   */
  eraseStoredPlaintext?(customerId: string): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  readonly customerId: string;
  readonly expected: number;
  readonly actual: number;
  constructor(customerId: string, expected: number, actual: number) {
    super(`stream customer-${customerId} is at revision ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedRevisionError';
    this.customerId = customerId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** One id, one event: these ids are stored (or earlier in the batch) with other content. */
export class IdConflictError extends Error {
  readonly code = 'ID_CONFLICT';
  readonly ids: readonly string[];
  constructor(ids: readonly string[]) {
    super(`event id(s) ${ids.join(', ')} already stand for other content`);
    this.name = 'IdConflictError';
    this.ids = ids;
  }
}

/** Positions are fixed-width strings, so plain string order is log order. */
export const comparePositions = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Timeline order, oldest first: occurredAt (normalised ISO strings), then log position. */
export const compareTimeKeys = (a: TimeKey, b: TimeKey): number =>
  a.occurredAt < b.occurredAt
    ? -1
    : a.occurredAt > b.occurredAt
      ? 1
      : comparePositions(a.position, b.position);

export const streamIdOf = (customerId: string): string => `customer-${customerId}`;
