// The images tests run in Testcontainers where a container runtime exists.
// docker-compose.yml runs the same PostgreSQL and KurrentDB (a unit test,
// test/compose, keeps them in step), so what the tests prove is what users run.

/** PostgreSQL: the event log, read models and change feed. */
export const POSTGRES_IMAGE = 'postgres:17.5-alpine';

/** KurrentDB (EventStoreDB's successor): the EventStoreDB adapter's contract suite. */
export const KURRENTDB_IMAGE = 'kurrentplatform/kurrentdb:25.1';

/**
 * Kafka: @testcontainers/kafka drives Confluent's start scripts, so not the
 * apache/kafka image compose runs (both are Kafka 3.x in KRaft mode).
 */
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.7.1';
