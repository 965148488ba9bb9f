import { randomUUID } from 'node:crypto';
import { createKafkaClient } from '@crh/messaging/kafka';
import { quietLogger } from '@crh/testing';

/**
 * Every committed message of the relay's topic (read_committed), per
 * partition in offset order: its key and the event id it carries.
 */
export async function readTopic(brokers: string[], topic: string): Promise<{ key: string; id: string }[]> {
  const kafka = createKafkaClient({ clientId: 'crh-relay-topic-test', brokers, logger: quietLogger });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  const byPartition = new Map<number, { offset: bigint; key: string; id: string }[]>();
  const consumer = kafka.consumer({
    groupId: `crh-relay-topic-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    readUncommitted: false,
  });
  await consumer.connect();
  let seen = 0;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (total === 0) return resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const value = JSON.parse(message.value?.toString() ?? 'null') as { id: string };
            const list = byPartition.get(partition) ?? [];
            list.push({ offset: BigInt(message.offset), key: message.key?.toString() ?? '', id: value.id });
            byPartition.set(partition, list);
            if (++seen === total) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...byPartition.values()].flatMap((list) =>
    list.sort((a, b) => (a.offset < b.offset ? -1 : 1)).map(({ key, id }) => ({ key, id })),
  );
}

/** Each customer's event ids as a topic or log holds them, in order. */
export function idsByKey(items: readonly { key: string; id: string }[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const { key, id } of items) byKey.set(key, [...(byKey.get(key) ?? []), id]);
  return byKey;
}
