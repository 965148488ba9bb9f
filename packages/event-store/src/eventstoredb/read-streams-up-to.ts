import type { RecordedEvent } from '../port.ts';
import { toRecordedEvent } from './esdb-event-mapping.ts';
import type { EsdbLog } from './esdb-log.ts';
import { decodeEsdbPosition } from './esdb-position.ts';

/** A stream to read from revision 0: `count` events of it are at or before the position. */
export interface StreamPrefixRead {
  customerId: string;
  count: number;
}

export interface UpToSource {
  log: EsdbLog;
  streamPrefix: string;
  /** Reads each stream's first `count` events; results in input order. */
  readStreams(streams: readonly StreamPrefixRead[]): Promise<RecordedEvent[][]>;
}

/**
 * Every stream's events at or before `upTo`, whole streams per batch.
 * EventStoreDB has no index of stream names to page through, so this first
 * reads $all from the start to `upTo`, counting each stream's events (memory:
 * one entry per stream, no events kept), then reads the streams themselves,
 * a batch of about `batchSize` events at a time. A stream's events up to a
 * position are the first ones of the stream, since stream order is log
 * order. Cost: the log up to `upTo` is read twice, once through $all.
 */
export async function* readStreamsUpTo(
  source: UpToSource,
  upTo: string,
  batchSize: number,
): AsyncGenerator<RecordedEvent[][]> {
  decodeEsdbPosition(upTo);
  const counts = new Map<string, number>();
  const records = source.log.readAll({
    from: 'start',
    direction: 'forwards',
    streamPrefix: source.streamPrefix,
  });
  for await (const record of records) {
    const event = toRecordedEvent(record, source.streamPrefix);
    if (!event) continue;
    if (event.position > upTo) break;
    counts.set(event.customerId, (counts.get(event.customerId) ?? 0) + 1);
  }
  for (const group of groupStreams(counts, batchSize)) {
    const streams = (await source.readStreams(group))
      .map((stream) => stream.filter((event) => event.position <= upTo))
      .filter((stream) => stream.length > 0);
    if (streams.length > 0) yield streams;
  }
}

/** Streams in groups of about `batchSize` events; a bigger stream is a group of its own. */
export function groupStreams(counts: ReadonlyMap<string, number>, batchSize: number): StreamPrefixRead[][] {
  const groups: StreamPrefixRead[][] = [];
  let group: StreamPrefixRead[] = [];
  let size = 0;
  for (const [customerId, count] of counts) {
    if (group.length > 0 && size + count > batchSize) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push({ customerId, count });
    size += count;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
