import type { EventStore, RecordedEvent, ReplayOptions } from './port.ts';
import { toEnvelope } from './stored-envelope.ts';

const PAGE = 5_000;

/**
 * A replay on any adapter, page by page through `readAll`: each page is
 * one chunk of NDJSON lines. Adapters that can build the lines closer to
 * the data (PostgreSQL) have faster ways; the output is the same.
 */
export async function* replayThroughReadAll(
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  options: ReplayOptions,
): AsyncGenerator<string> {
  // Never past the head: what lies beyond it may still be filled in.
  const head = await store.headPosition();
  const upTo = head !== null && options.upTo && options.upTo < head ? options.upTo : head;
  if (upTo === null) return;
  let after = options.after ?? null;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const page = await store.readAll({
      after,
      limit: Math.min(PAGE, left),
      types: options.types,
      customerId: options.customerId,
      from: options.from,
      to: options.to,
    });
    const inRange = page.filter((e) => e.position <= upTo);
    if (inRange.length > 0) yield ndjsonLines(inRange);
    if (inRange.length < page.length || page.length < Math.min(PAGE, left)) return;
    left -= page.length;
    after = page.at(-1)!.position;
  }
}

export function ndjsonLines(events: readonly RecordedEvent[]): string {
  let text = '';
  for (const event of events) text += `${JSON.stringify(toEnvelope(event))}\n`;
  return text;
}
