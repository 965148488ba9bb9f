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
