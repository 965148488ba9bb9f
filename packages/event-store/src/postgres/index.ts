export { isoTimestampColumn } from './event-row.ts';
export { type Migration, type MigrationPlan, runMigrations } from './migration-runner.ts';
export { createPgPool, type PgPoolOptions } from './pool.ts';
export { decodePosition, encodePosition, type LogPosition } from './position.ts';
export {
  createPostgresEventStore,
  EVENTS_CHANNEL,
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres-event-store.ts';
export { sleep, whileHoldingLock } from './session-lock.ts';
