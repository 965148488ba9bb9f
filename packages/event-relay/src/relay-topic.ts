import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { POSITION_HEADER } from './relay-message.ts';

export interface RelayTopicSpec {
  topic: string;
  /** Partitions to create the topic with; an existing topic keeps its own. */
  partitions: number;
}

/**
 * Creates the topic when it is missing and returns its partition count.
 * Retention is unlimited in time and size: the topic is a copy of the log,
 * and a data team must be able to read it from the first event. Replication
 * is 3 where the cluster has 3 brokers (fewer on a dev broker), with
 * min.insync.replicas 2 so acks=all means "on two brokers".
 */
export async function ensureRelayTopic(
  admin: Admin,
  spec: RelayTopicSpec,
): Promise<{ partitions: number; created: boolean }> {
  let created = false;
  if (!(await admin.listTopics()).includes(spec.topic)) {
    const { brokers } = await admin.describeCluster();
    const replicationFactor = Math.min(3, brokers.length);
    // false when another relay created it in between: nothing to do then.
    created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: [
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
          ],
        },
      ],
    });
  }
  const { topics } = await admin.fetchTopicMetadata({ topics: [spec.topic] });
  const partitions = topics[0]?.partitions.length ?? 0;
  if (partitions === 0) throw new Error(`topic ${spec.topic} has no partitions`);
  return { partitions, created };
}

/**
 * The `position` header of the last message of every non-empty partition:
 * what the topic already holds, whatever the checkpoint says. Reads one
 * message per partition with a throwaway consumer group (kafkajs has no
 * group-less fetch) that commits nothing.
 */
export async function readPartitionTails(
  kafka: Kafka,
  topic: string,
  options: { timeoutMs?: number } = {},
): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
  try {
    offsets = await retryingRetriable(() => admin.fetchTopicOffsets(topic));
  } finally {
    await admin.disconnect();
  }
  // The high watermark is the offset after the last acknowledged message.
  const lastOffsets = new Map<number, string>();
  for (const { partition, high, low } of offsets) {
    if (BigInt(high) > BigInt(low)) lastOffsets.set(partition, (BigInt(high) - 1n).toString());
  }
  const tails = new Map<number, string>();
  if (lastOffsets.size === 0) return tails;

  const consumer = kafka.consumer({
    groupId: `crh-relay-tails-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`reading the last message of ${topic}'s partitions took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.offset !== lastOffsets.get(partition)) return;
            const position = message.headers?.[POSITION_HEADER]?.toString();
            if (position === undefined) {
              reject(new Error(`message ${partition}/${message.offset} of ${topic} has no position header`));
              return;
            }
            tails.set(partition, position);
            if (tails.size === lastOffsets.size) resolve();
          },
        })
        .then(() => {
          // Seeks given after run() are applied before the partition's first fetch.
          for (const [partition, offset] of lastOffsets) consumer.seek({ topic, partition, offset });
        }, reject);
    });
    try {
      await done;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return tails;
}

/**
 * Retries what kafkajs marks retriable but does not retry itself: a topic
 * just created can answer NOT_LEADER_FOR_PARTITION until every broker's
 * metadata has caught up.
 */
async function retryingRetriable<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
