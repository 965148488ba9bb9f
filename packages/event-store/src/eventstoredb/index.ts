export type { EsdbLog } from './esdb-log.ts';
export {
  createEventStoreDbEventStore,
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb-event-store.ts';
