import { randomUUID } from 'node:crypto';
import { type Kafka, Partitioners } from 'kafkajs';
import type {
  ChangeFeedPublisher,
  ChangeFeedSubscriber,
  FeedListener,
  FeedLogger,
  FeedMessage,
} from '../port.ts';
import { endOffsets, ensureTopic } from './topics.ts';

export const DEFAULT_FEED_TOPIC = 'crh.changes.v1';

/** The change feed is live, not a history: an hour covers any restart of a gateway. */
const FEED_TOPIC_CONFIG = { 'retention.ms': String(60 * 60 * 1000), 'cleanup.policy': 'delete' };
const FEED_PARTITIONS = 6;

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

/**
 * Each subscriber is a consumer group of its own, so every gateway instance
 * sees every change. It starts at the end of the topic as it was when
 * `start` was called: what was published before is history.
 */
export function createKafkaSubscriber(options: {
  kafka: Kafka;
  topic?: string;
  logger: FeedLogger;
  /** Default: crh-gateway-<uuid>. */
  groupId?: string;
  /**
   * Called when the consumer stopped for good (kafkajs gave up and will not
   * restart it): from then on nothing is delivered, so the process should
   * not carry on as if it were listening.
   */
  onFailure?: (error: Error) => void;
}): ChangeFeedSubscriber {
  const topic = options.topic ?? DEFAULT_FEED_TOPIC;
  const consumer = options.kafka.consumer({
    groupId: options.groupId ?? `crh-gateway-${randomUUID()}`,
    // A group per process is never rejoined by another: no need to wait.
    rebalanceTimeout: 10_000,
  });
  let started = false;
  return {
    async start(listener: FeedListener) {
      const admin = options.kafka.admin();
      await admin.connect();
      let ends: { partition: number; offset: string }[];
      try {
        await ensureTopic(admin, { topic, partitions: FEED_PARTITIONS, config: FEED_TOPIC_CONFIG });
        ends = await endOffsets(admin, topic);
      } finally {
        await admin.disconnect();
      }
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        options.logger.error(
          { err: payload.error, restart: payload.restart },
          'change feed: Kafka consumer crashed',
        );
        if (!payload.restart) options.onFailure?.(payload.error);
      });
      await consumer.connect();
      started = true;
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      const joined = new Promise<void>((resolve) => {
        const off = consumer.on(consumer.events.GROUP_JOIN, () => {
          off();
          resolve();
        });
      });
      await consumer.run({
        // Offsets of a throwaway group are worth nothing; don't spend round trips on them.
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const values: unknown[] = [];
          for (const message of batch.messages) {
            if (!message.value) continue;
            try {
              values.push(JSON.parse(message.value.toString('utf8')));
            } catch (error) {
              options.logger.error(
                { err: error, offset: message.offset },
                'change feed: unreadable message skipped',
              );
            }
          }
          if (values.length > 0) listener(values);
        },
      });
      // Pin every partition to the end offsets read before joining, so
      // anything published after `start` began is delivered.
      for (const { partition, offset } of ends) consumer.seek({ topic, partition, offset });
      await joined;
    },
    async close() {
      if (started) await consumer.disconnect();
    },
  };
}
