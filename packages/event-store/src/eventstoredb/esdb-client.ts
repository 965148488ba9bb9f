import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  isCommandError,
  type JSONEventData,
  type JSONType,
  NO_STREAM,
  type RecordedEvent,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import {
  type EsdbExpectedRevision,
  type EsdbLog,
  type EsdbProposedEvent,
  type EsdbReadAllOptions,
  type EsdbRecord,
  EsdbRevisionConflict,
  type EsdbSubscription,
} from './esdb-log.ts';

/**
 * The only file that imports `@eventstore/db-client`. Needs EventStoreDB
 * 22.10 or later (stream reads must carry log positions) and a user allowed
 * to read $all (in secure mode: an admin, or an ACL granting it).
 */
export function connectEsdbLog(connectionString: string): EsdbLog {
  return new ClientLog(EventStoreDBClient.connectionString(toEsdbConnectionString(connectionString)));
}

/** db-client 6 only knows `esdb://`; KurrentDB tools hand out `kurrentdb://` (same options). */
export function toEsdbConnectionString(connectionString: string): string {
  return connectionString.replace(/^(?:kurrentdb|kurrent|kdb)(\+discover)?:\/\//i, 'esdb$1://');
}

class ClientLog implements EsdbLog {
  readonly #client: EventStoreDBClient;

  constructor(client: EventStoreDBClient) {
    this.#client = client;
  }

  async append(
    stream: string,
    events: readonly EsdbProposedEvent[],
    expected: EsdbExpectedRevision,
  ): Promise<void> {
    const proposed: JSONEventData[] = events.map((event) => ({
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: event.data as JSONType,
      metadata: event.metadata,
    }));
    try {
      const result = await this.#client.appendToStream(stream, proposed, {
        expectedRevision: expected === 'no_stream' ? NO_STREAM : expected,
      });
      // Only when the connection string sets throwOnAppendFailure=false.
      if (!result.success) throw new EsdbRevisionConflict(stream);
    } catch (error) {
      if (hasType(error, ErrorType.WRONG_EXPECTED_VERSION)) throw new EsdbRevisionConflict(stream, error);
      throw error;
    }
  }

  async *readStream(
    stream: string,
    options: { fromRevision: bigint; maxCount?: number },
  ): AsyncGenerator<EsdbRecord> {
    const read = this.#client.readStream(stream, {
      fromRevision: options.fromRevision === 0n ? START : options.fromRevision,
      direction: FORWARDS,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    let finished = false;
    try {
      for await (const resolved of read) {
        if (resolved.event) yield toRecord(resolved.event);
      }
      finished = true;
    } catch (error) {
      finished = true;
      if (hasType(error, ErrorType.STREAM_NOT_FOUND) || hasType(error, ErrorType.STREAM_DELETED)) return;
      throw error;
    } finally {
      // A caller that stops early must not leave the server streaming to nobody.
      if (!finished) await read.cancel().catch(() => undefined);
    }
  }

  async *readAll(options: EsdbReadAllOptions): AsyncGenerator<EsdbRecord> {
    const read = this.#client.readAll({
      fromPosition: options.from === 'start' ? START : options.from === 'end' ? END : options.from,
      direction: options.direction === 'forwards' ? FORWARDS : BACKWARDS,
      resolveLinkTos: false,
    });
    let finished = false;
    try {
      // db-client 6 cannot filter a read on the server (kurrentdb-client can:
      // `filter: streamNameFilter({ prefixes: [streamPrefix] })`), so it is done here.
      for await (const resolved of read) {
        const event = resolved.event;
        if (event && isOurs(event.streamId, event.type, options.streamPrefix)) yield toRecord(event);
      }
      finished = true;
    } finally {
      if (!finished) await read.cancel().catch(() => undefined);
    }
  }

  subscribeAll(options: { from: EsdbRecord['position'] | 'start'; streamPrefix: string }): EsdbSubscription {
    const subscription = this.#client.subscribeToAll({
      fromPosition: options.from === 'start' ? START : options.from,
      resolveLinkTos: false,
      filter: streamNameFilter({ prefixes: [options.streamPrefix] }),
    });
    const events = subscription[Symbol.asyncIterator]();
    return {
      next: async () => {
        for (;;) {
          const result = await events.next();
          if (result.done) return { done: true, value: undefined };
          const event = result.value.event;
          if (event && isOurs(event.streamId, event.type, options.streamPrefix)) {
            return { done: false, value: toRecord(event) };
          }
        }
      },
      stop: async () => {
        await subscription.unsubscribe();
        subscription.destroy();
      },
    };
  }

  async ping(): Promise<void> {
    for await (const _ of this.#client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
      // Reaching the server is the point; the event itself does not matter.
    }
  }

  dispose(): Promise<void> {
    return this.#client.dispose();
  }
}

const isOurs = (streamId: string, type: string, prefix: string): boolean =>
  streamId.startsWith(prefix) && !type.startsWith('$');

function hasType(error: unknown, type: ErrorType): boolean {
  return error instanceof Error && isCommandError(error) && error.type === type;
}

function toRecord(event: RecordedEvent): EsdbRecord {
  if (event.position === undefined) {
    throw new Error(
      'EventStoreDB returned an event without its log position: the adapter needs server 22.10+',
    );
  }
  return {
    streamId: event.streamId,
    id: event.id,
    type: event.type,
    revision: event.revision,
    created: event.created,
    data: event.data,
    metadata: event.metadata,
    position: event.position,
  };
}
