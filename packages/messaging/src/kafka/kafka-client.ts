import { Kafka, logLevel } from 'kafkajs';
import type { FeedLogger } from '../port.ts';
import { ignoreKafkajsTimeoutWarning } from './kafka-warnings.ts';

/** A kafkajs client whose warnings and errors go to our logger. */
export function createKafkaClient(options: {
  brokers: string[];
  clientId: string;
  logger: FeedLogger;
}): Kafka {
  ignoreKafkajsTimeoutWarning();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        if (level <= logLevel.ERROR) options.logger.error({ kafka: extra }, `kafka: ${message}`);
        else options.logger.warn({ kafka: extra }, `kafka: ${message}`);
      },
  });
}
