import {
  type EsdbExpectedRevision,
  type EsdbLog,
  type EsdbPosition,
  type EsdbProposedEvent,
  type EsdbReadAllOptions,
  type EsdbRecord,
  EsdbRevisionConflict,
  type EsdbSubscription,
} from '../src/eventstoredb/esdb-log.ts';

/**
 * An EsdbLog in memory, for tests of the adapter's own logic where no
 * server runs. It behaves as EventStoreDB does as far as the adapter can
 * tell: appends to one stream are atomic and checked against the expected
 * revision on arrival, and take a network hop either side, so concurrent
 * appends interleave; positions are byte offsets (commit = prepare) that
 * grow by a varying record size; forward reads of $all include their start
 * position, backward reads and subscriptions exclude it; data and metadata
 * go through JSON. Not a substitute for the contract suite on a real server.
 */
export class InMemoryEsdbLog implements EsdbLog {
  readonly #all: EsdbRecord[] = [];
  readonly #streams = new Map<string, EsdbRecord[]>();
  readonly #waiters = new Set<() => void>();
  #nextPosition = 1_024n;
  #disposed = false;

  async append(
    stream: string,
    events: readonly EsdbProposedEvent[],
    expected: EsdbExpectedRevision,
  ): Promise<void> {
    await hop();
    this.#assertOpen();
    const existing = this.#streams.get(stream) ?? [];
    const current = existing.length === 0 ? 'no_stream' : BigInt(existing.length - 1);
    if (current !== expected) throw new EsdbRevisionConflict(stream);
    for (const event of events) {
      const position = this.#nextPosition;
      const json = JSON.stringify({ data: event.data, metadata: event.metadata });
      this.#nextPosition += BigInt(100 + json.length);
      const { data, metadata } = JSON.parse(json) as { data: unknown; metadata: unknown };
      const record: EsdbRecord = {
        streamId: stream,
        id: event.id,
        type: event.type,
        revision: BigInt(existing.length),
        created: new Date(),
        data,
        metadata,
        position: { commit: position, prepare: position },
      };
      existing.push(record);
      this.#all.push(record);
    }
    this.#streams.set(stream, existing);
    for (const wake of [...this.#waiters]) wake();
    await hop();
  }

  async *readStream(
    stream: string,
    options: { fromRevision: bigint; maxCount?: number },
  ): AsyncGenerator<EsdbRecord> {
    await hop();
    const records = (this.#streams.get(stream) ?? []).slice(Number(options.fromRevision));
    yield* records.slice(0, options.maxCount ?? records.length);
  }

  async *readAll(options: EsdbReadAllOptions): AsyncGenerator<EsdbRecord> {
    await hop();
    const { from, streamPrefix } = options;
    const records =
      options.direction === 'forwards'
        ? this.#all.filter((r) => from === 'start' || (from !== 'end' && !before(r.position, from)))
        : this.#all.filter((r) => from === 'end' || (from !== 'start' && before(r.position, from))).reverse();
    for (const record of records) {
      if (record.streamId.startsWith(streamPrefix) && !record.type.startsWith('$')) yield record;
    }
  }

  subscribeAll(options: { from: EsdbPosition | 'start'; streamPrefix: string }): EsdbSubscription {
    const { from, streamPrefix } = options;
    let index = from === 'start' ? 0 : this.#all.findIndex((r) => before(from, r.position));
    if (index < 0) index = this.#all.length;
    let stopped = false;
    let wake: (() => void) | undefined;
    return {
      next: async () => {
        for (;;) {
          if (stopped) return { done: true, value: undefined };
          const record = this.#all[index];
          if (record) {
            index += 1;
            if (record.streamId.startsWith(streamPrefix) && !record.type.startsWith('$')) {
              return { done: false, value: record };
            }
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.#waiters.add(resolve);
          });
          if (wake) this.#waiters.delete(wake);
        }
      },
      stop: async () => {
        stopped = true;
        wake?.();
      },
    };
  }

  async ping(): Promise<void> {
    await hop();
    this.#assertOpen();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }

  #assertOpen(): void {
    if (this.#disposed) throw new Error('the log is disposed');
  }
}

const before = (a: EsdbPosition, b: EsdbPosition): boolean =>
  a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);

/** A network round trip's worth of yielding to other tasks. */
const hop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
