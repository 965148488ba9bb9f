export { KURRENTDB_IMAGE, POSTGRES_IMAGE } from './container-images.ts';
export { containerRuntimeAvailable } from './container-server.ts';
export { type KafkaBroker, pickKafkaBroker } from './kafka-server.ts';
export { type PostgresServer, pickPostgresServer, type ServerSources } from './postgres-server.ts';
export { runKafkaBrokers } from './run-context.ts';
export { createTestDatabase, type TestDatabase, withDatabase } from './test-database.ts';
export { quietLogger, testEvent } from './test-events.ts';
