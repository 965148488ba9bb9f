import { inject } from 'vitest';

// What the run's global setups hand to every test file (vitest `provide`/`inject`).
declare module 'vitest' {
  export interface ProvidedContext {
    /** Where `createTestDatabase()` creates each test file's database. */
    pgAdminUrl: string;
    /** Comma-separated host:port list of the run's Kafka broker. */
    kafkaBrokers: string;
  }
}

/** The run's PostgreSQL server (admin URL, database `postgres`). */
export const runPgAdminUrl = (): string => inject('pgAdminUrl');

/** The run's Kafka broker, as kafkajs `brokers`. */
export const runKafkaBrokers = (): string[] => inject('kafkaBrokers').split(',');
