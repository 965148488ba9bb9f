import type { TestProject } from 'vitest/node';
import { pickKafkaBroker } from './kafka-server.ts';
import type {} from './run-context.ts';

/** vitest globalSetup: one Kafka broker for the whole run, handed to the test files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await pickKafkaBroker();
  console.log(`[crh tests] Kafka: ${broker.description}`);
  project.provide('kafkaBrokers', broker.brokers.join(','));
  return () => broker.stop();
}
