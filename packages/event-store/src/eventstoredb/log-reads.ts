import type { RecordedEvent, SubscribeOptions } from '../port.ts';
import { recordFingerprint, toRecordedEvent } from './esdb-event-mapping.ts';
import type { EsdbLog, EsdbRecord } from './esdb-log.ts';
import { decodeEsdbPosition, encodeEsdbPosition } from './esdb-position.ts';
import { type StreamFilter, streamEventFilter } from './stream-event-filter.ts';
import type { LedgerEvent } from './stream-ledger.ts';
import { subscriptionBatches } from './subscription-batches.ts';

/** The log as one store sees it: its own namespace of streams. */
export interface Namespace {
  log: EsdbLog;
  streamPrefix: string;
}

/**
 * The namespace's events after `after` that pass the filters, in log order.
 * One customer: their stream (a stream's order is the log's order), so no
 * other event is read. Otherwise $all from `after`. Leaving the loop early
 * cancels the read.
 */
export async function* matchingEvents(
  { log, streamPrefix }: Namespace,
  options: StreamFilter & { after?: string | null | undefined },
): AsyncGenerator<RecordedEvent> {
  const after = options.after ?? null;
  const accepts = streamEventFilter(options);
  const records =
    options.customerId !== undefined
      ? log.readStream(`${streamPrefix}${options.customerId}`, { fromRevision: 0n })
      : log.readAll({
          from: after === null ? 'start' : decodeEsdbPosition(after),
          direction: 'forwards',
          streamPrefix,
        });
  for await (const record of records) {
    const event = toRecordedEvent(record, streamPrefix);
    if (event && (after === null || event.position > after) && accepts(event)) yield event;
  }
}

/**
 * A catch-up subscription to the namespace from after `options.after`, in
 * batches, until `signal` aborts. It starts where it is told: checkpoints
 * are the caller's (the projector keeps them in PostgreSQL), not the server's.
 */
export async function* namespaceBatches(
  { log, streamPrefix }: Namespace,
  options: SubscribeOptions & { batchSize: number; lingerMs: number; signal: AbortSignal },
): AsyncGenerator<RecordedEvent[]> {
  const { signal } = options;
  if (signal.aborted) return;
  const after = options.after ?? null;
  const subscription = log.subscribeAll({
    from: after === null ? 'start' : decodeEsdbPosition(after),
    streamPrefix,
  });
  try {
    const ours = {
      next: async (): Promise<IteratorResult<RecordedEvent>> => {
        for (;;) {
          const result = await subscription.next();
          if (result.done) return result;
          const event = toRecordedEvent(result.value, streamPrefix);
          // The server starts after `after`; checked again, as the contract depends on it.
          if (event && (after === null || event.position > after)) return { done: false, value: event };
        }
      },
    };
    yield* subscriptionBatches(ours, options);
  } finally {
    await subscription.stop().catch(() => undefined);
  }
}

/** A stream's records as the StreamLedger keeps them. */
export async function* ledgerEvents(records: AsyncIterable<EsdbRecord>): AsyncGenerator<LedgerEvent> {
  for await (const record of records) {
    yield {
      id: record.id,
      revision: Number(record.revision),
      position: encodeEsdbPosition(record.position),
      fingerprint: recordFingerprint(record),
    };
  }
}
