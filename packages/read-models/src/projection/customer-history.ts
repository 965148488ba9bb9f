import { type PositionedEvent, parseRecordedEvent } from '@crh/domain';
import type { EventStore, RecordedEvent } from '@crh/event-store';

/**
 * A customer's history is its stream in the event store: read models keep no
 * copy of it. Events this code cannot read are left out here, as the
 * projector parks them.
 */
export type HistoryLoader = (customerIds: readonly string[]) => Promise<Map<string, PositionedEvent[]>>;

export function toPositionedEvents(records: readonly RecordedEvent[]): PositionedEvent[] {
  const events: PositionedEvent[] = [];
  for (const record of records) {
    const parsed = parseRecordedEvent(record);
    if (parsed.ok) events.push({ ...parsed.event, position: record.position } as PositionedEvent);
  }
  return events;
}

export function historyFromStore(store: EventStore): HistoryLoader {
  return async (customerIds) => {
    const streams = await store.readStreams(customerIds);
    return new Map([...streams].map(([customerId, records]) => [customerId, toPositionedEvents(records)]));
  };
}
