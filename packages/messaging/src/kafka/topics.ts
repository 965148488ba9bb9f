import type { Admin } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Topic-level settings, e.g. retention.ms. */
  config?: Record<string, string>;
}

/**
 * Creates the topic if it is missing, replicated up to three times as far as
 * the cluster allows, and waits for its partition leaders. An existing topic
 * is left as it is.
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(spec.topic)) return;
  const { brokers } = await admin.describeCluster();
  // Two processes may create it at once: the loser gets `false`, not an error.
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: Math.min(3, brokers.length),
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      },
    ],
  });
}

/**
 * The end offset of each partition. Retried: right after a topic is created
 * (by this process or another) a broker may not yet know it leads a partition.
 */
export async function endOffsets(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; offset: string }[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (attempt >= 20 || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
