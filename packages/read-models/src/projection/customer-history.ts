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

/**
 * A loader that leaves out events an operator skipped (crh.skipped_events):
 * a refold must not bring a skipped poison event back.
 */
export function withoutSkipped(
  loader: HistoryLoader,
  db: { query<R>(sql: string, values: unknown[]): Promise<{ rows: R[] }> },
): HistoryLoader {
  return async (customerIds) => {
    const [histories, { rows }] = await Promise.all([
      loader(customerIds),
      db.query<{ position: string }>(
        'select position from crh.skipped_events where customer_id = any($1::text[])',
        [customerIds],
      ),
    ]);
    if (rows.length === 0) return histories;
    const skipped = new Set(rows.map((r) => r.position));
    return new Map(
      [...histories].map(([id, events]) => [id, events.filter((e) => !skipped.has(e.position))]),
    );
  };
}
