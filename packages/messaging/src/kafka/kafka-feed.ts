import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { activeTraceparent } from '../feed-trace-context.ts';
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
  // A new producer after a failed send: an idempotent producer's sequence
  // numbers may no longer match the broker's after an outage.
  let session: Promise<Producer> | undefined;
  const connect = () => {
    session ??= (async () => {
      const admin = options.kafka.admin();
      await admin.connect();
      try {
        await ensureTopic(admin, { topic, partitions: FEED_PARTITIONS, config: FEED_TOPIC_CONFIG });
      } finally {
        await admin.disconnect();
      }
      const producer = options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      session = undefined; // try again at the next publish
      throw error;
    });
    return session;
  };
  return {
    async publish(messages: readonly FeedMessage[]) {
      if (messages.length === 0) return;
      const current = connect();
      const producer = await current;
      // The batch's trace context in a header, as kafkajs instrumentation
      // would put it (it replaces it with its send span's where it runs).
      const traceparent = activeTraceparent();
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: messages.map((m) => ({
            key: m.key,
            value: JSON.stringify(m.value),
            ...(traceparent ? { headers: { traceparent } } : {}),
          })),
        });
      } catch (error) {
        if (session === current) session = undefined;
        await producer.disconnect().catch(() => {});
        throw error;
      }
    },
    async close() {
      const current = session;
      session = undefined;
      if (current) await (await current.catch(() => undefined))?.disconnect();
    },
  };
}
