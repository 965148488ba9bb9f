import { type Kafka, Partitioners } from 'kafkajs';
import type { ChangeFeedPublisher, FeedMessage } from '../port.ts';
import { ensureTopic } from './topics.ts';

export const DEFAULT_FEED_TOPIC = 'crh.changes.v1';

/** The change feed is live, not a history: an hour covers any restart of a gateway. */
export const FEED_TOPIC_CONFIG = { 'retention.ms': String(60 * 60 * 1000), 'cleanup.policy': 'delete' };
export const FEED_PARTITIONS = 6;

/**
 * Publishes to the feed topic, keyed by customer so one customer's changes
 * stay in one partition, in order. Idempotent, acknowledged by all replicas.
 */
export function createKafkaPublisher(options: { kafka: Kafka; topic?: string }): ChangeFeedPublisher {
  const topic = options.topic ?? DEFAULT_FEED_TOPIC;
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let ready: Promise<void> | undefined;
  const connect = () => {
    ready ??= (async () => {
      const admin = options.kafka.admin();
      await admin.connect();
      try {
        await ensureTopic(admin, { topic, partitions: FEED_PARTITIONS, config: FEED_TOPIC_CONFIG });
      } finally {
        await admin.disconnect();
      }
      await producer.connect();
    })().catch((error: unknown) => {
      ready = undefined; // try again at the next publish
      throw error;
    });
    return ready;
  };
  return {
    async publish(messages: readonly FeedMessage[]) {
      if (messages.length === 0) return;
      await connect();
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
      });
    },
    async close() {
      if (ready) await producer.disconnect();
    },
  };
}
