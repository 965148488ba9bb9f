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
  const upTo = await replayEnd(store, options.upTo);
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

/**
 * Where a replay ends: the readable head, or `upTo` when it is below it.
 * Never past the head: rows beyond it may still get a smaller position from
 * a transaction that commits later, and a resume after them would skip it.
 */
export async function replayEnd(
  store: Pick<EventStore, 'headPosition'>,
  upTo: string | null | undefined,
): Promise<string | null> {
  const head = await store.headPosition();
  return head !== null && upTo && upTo < head ? upTo : head;
}

export function ndjsonLines(events: readonly RecordedEvent[]): string {
  let text = '';
  for (const event of events) text += `${JSON.stringify(toEnvelope(event))}\n`;
  return text;
}
