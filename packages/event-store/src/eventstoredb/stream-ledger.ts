/** Where an event of a stream is: enough to answer a duplicate with its original outcome. */
export interface KnownEvent {
  position: string;
  revision: number;
  /** appendFingerprint of its content (null: not an envelope of ours), to tell a duplicate from a conflict. */
  fingerprint: string | null;
}

/** What an append needs to know of a stream: its revision and the ids in it. */
export interface StreamState {
  /** Revision of the last event; -1 when the stream does not exist. */
  revision: number;
  events: Map<string, KnownEvent>;
}

export interface LedgerEvent extends KnownEvent {
  id: string;
}

/** Reads a stream from a revision on, in revision order (nothing for a missing stream). */
export type ReadStreamTail = (stream: string, fromRevision: number) => AsyncIterable<LedgerEvent>;

/**
 * The ids and revision of recently appended-to streams, so each append
 * reads only the tail of a stream written since it last looked (by anyone:
 * the tail read sees other writers too), not the whole stream. Streams are
 * append-only, so a state can lag but never be wrong. Bounded: the least
 * recently used streams are forgotten, and re-read in full when next used.
 * Callers serialise work per stream (see stream-locks.ts).
 */
export class StreamLedger {
  readonly #states = new Map<string, StreamState>();
  readonly #readTail: ReadStreamTail;
  readonly #capacity: number;

  constructor(readTail: ReadStreamTail, capacity = 1_000) {
    this.#readTail = readTail;
    this.#capacity = capacity;
  }

  /** The current state of each stream, read from where the ledger left off (in parallel). */
  async refresh(streams: readonly string[]): Promise<Map<string, StreamState>> {
    const unique = [...new Set(streams)];
    const states = await Promise.all(unique.map((stream) => this.#refreshOne(stream)));
    const result = new Map<string, StreamState>();
    unique.forEach((stream, i) => {
      result.set(stream, states[i]!);
      // Map order is insertion order: re-inserting marks the stream as recently used.
      this.#states.delete(stream);
      this.#states.set(stream, states[i]!);
    });
    for (const stream of this.#states.keys()) {
      if (this.#states.size <= this.#capacity) break;
      this.#states.delete(stream);
    }
    return result;
  }

  async #refreshOne(stream: string): Promise<StreamState> {
    const state = this.#states.get(stream) ?? { revision: -1, events: new Map() };
    for await (const event of this.#readTail(stream, state.revision + 1)) {
      if (event.revision <= state.revision) continue;
      state.events.set(event.id, {
        position: event.position,
        revision: event.revision,
        fingerprint: event.fingerprint,
      });
      state.revision = event.revision;
    }
    return state;
  }
}
