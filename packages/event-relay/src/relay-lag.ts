import type { EventStore } from '@crh/event-store';

/** How far the relay topic is behind the log (the relay's lag gauges). */
export interface RelayLag {
  /** Events recorded in the log after the relay's checkpoint. */
  events: number;
  /** How long the oldest of them has waited, in seconds (0 when caught up). */
  seconds: number;
}

/**
 * The lag behind `checkpoint` (null: nothing relayed yet). Like the
 * projection's, it costs a range scan of the backlog only, nothing when
 * caught up. Throws when the store cannot be reached.
 */
export async function measureRelayLag(
  store: Pick<EventStore, 'headPosition' | 'countEvents' | 'readAll'>,
  checkpoint: string | null,
  now: () => Date = () => new Date(),
): Promise<RelayLag> {
  const head = await store.headPosition();
  if (head === null || (checkpoint !== null && checkpoint >= head)) return { events: 0, seconds: 0 };
  const [events, [oldest]] = await Promise.all([
    store.countEvents({ after: checkpoint, upTo: head }),
    store.readAll({ after: checkpoint, limit: 1 }),
  ]);
  const waited = oldest ? (now().getTime() - new Date(oldest.recordedAt).getTime()) / 1000 : 0;
  return { events, seconds: Math.max(0, waited) };
}
