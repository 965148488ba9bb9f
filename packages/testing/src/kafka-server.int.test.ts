import { randomUUID } from 'node:crypto';
import { ignoreKafkajsTimeoutWarning } from '@crh/messaging/kafka';
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKafkaBrokers } from './run-context.ts';

const MESSAGES = 1000;
const KEYS = 20;

describe('the run’s Kafka broker', () => {
  const topic = `crh-test-kafka-server-${randomUUID()}`;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    ignoreKafkajsTimeoutWarning();
    kafka = new Kafka({
      clientId: 'crh-kafka-server-test',
      brokers: runKafkaBrokers(),
      logLevel: logLevel.ERROR,
    });
    admin = kafka.admin();
    await admin.connect();
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('keeps every keyed message, in order per key, through an idempotent producer', async () => {
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({
      key: `customer-${i % KEYS}`,
      value: JSON.stringify({ seq: Math.floor(i / KEYS) }),
    }));
    for (let i = 0; i < MESSAGES; i += 100) {
      await producer.send({ topic, messages: sent.slice(i, i + 100) });
    }

    const received: { key: string; seq: number; partition: number }[] = [];
    let allReceived!: () => void;
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    consumer = kafka.consumer({ groupId: `crh-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const { seq } = JSON.parse(message.value?.toString() ?? '{}') as { seq: number };
        received.push({ key: message.key?.toString() ?? '', seq, partition });
        if (received.length >= MESSAGES) allReceived();
      },
    });
    await done;

    expect(received).toHaveLength(MESSAGES);
    const byKey = Map.groupBy(received, (message) => message.key);
    expect(byKey.size).toBe(KEYS);
    const perKey = MESSAGES / KEYS;
    for (const [key, messages] of byKey) {
      expect(
        messages.map((message) => message.seq),
        key,
      ).toEqual(Array.from({ length: perKey }, (_, i) => i));
      expect(new Set(messages.map((message) => message.partition)).size, key).toBe(1);
    }
    // Keys spread over more than one of the 3 partitions.
    expect(new Set(received.map((message) => message.partition)).size).toBeGreaterThan(1);
  });
});
