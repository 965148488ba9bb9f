/**
 * What the adapter needs from an EventStoreDB (KurrentDB) server, in our
 * terms. `esdb-client.ts` implements it with `@eventstore/db-client`; moving
 * to `@kurrent/kurrentdb-client` means rewriting that one file. Nothing here
 * imports a client library, so the adapter's logic can be tested against
 * `testing/in-memory-esdb-log.ts`.
 */

/** A position in the server's transaction log ($all). */
export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

/** An event as the server returns it (JSON data and metadata already parsed). */
export interface EsdbRecord {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  created: Date;
  data: unknown;
  metadata: unknown;
  position: EsdbPosition;
}

/** An event to append, written as JSON. */
export interface EsdbProposedEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** The last revision the stream must have, or 'no_stream' when it must not exist. */
export type EsdbExpectedRevision = bigint | 'no_stream';

export interface EsdbReadAllOptions {
  /** Forwards: inclusive start. Backwards: exclusive start ('end' for the head). */
  from: EsdbPosition | 'start' | 'end';
  direction: 'forwards' | 'backwards';
  /** Only events of streams whose name starts with this (never system events). */
  streamPrefix: string;
}

/** A live catch-up subscription: pull events one by one, stop when done. */
export interface EsdbSubscription {
  next(): Promise<IteratorResult<EsdbRecord>>;
  stop(): Promise<void>;
}

export interface EsdbLog {
  /**
   * Appends atomically to one stream if it is at `expected`; throws
   * EsdbRevisionConflict if it is not.
   */
  append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision): Promise<void>;
  /** A stream from a revision on, in order; nothing for a stream that does not exist. */
  readStream(stream: string, options: { fromRevision: bigint; maxCount?: number }): AsyncIterable<EsdbRecord>;
  /** $all in either direction. Leaving the loop early cancels the read. */
  readAll(options: EsdbReadAllOptions): AsyncIterable<EsdbRecord>;
  /** $all from after `from` (exclusive), then live, filtered by stream prefix on the server. */
  subscribeAll(options: { from: EsdbPosition | 'start'; streamPrefix: string }): EsdbSubscription;
  /** A cheap round trip that fails when the server cannot be reached. */
  ping(): Promise<void>;
  dispose(): Promise<void>;
}

/** The stream was not at the expected revision (another writer got there first). */
export class EsdbRevisionConflict extends Error {
  readonly stream: string;
  constructor(stream: string, cause?: unknown) {
    super(`stream ${stream} is not at the expected revision`, { cause });
    this.name = 'EsdbRevisionConflict';
    this.stream = stream;
  }
}
