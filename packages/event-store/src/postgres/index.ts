export { type EventLogGrants, grantEventLog } from './event-log-grants.ts';
export { decodePosition, encodePosition, type LogPosition } from './position.ts';
export {
  createPostgresEventStore,
  EVENTS_CHANNEL,
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres-event-store.ts';
