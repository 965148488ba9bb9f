import { randomUUID } from 'node:crypto';
import { quietLogger, runKafkaBrokers } from '@crh/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeFeedSubscriber } from '../port.ts';
import { createKafkaClient } from './kafka-client.ts';
import { createKafkaPublisher } from './kafka-feed.ts';
import { createKafkaSubscriber } from './kafka-subscriber.ts';

// A real broker (infra/kafka here, Testcontainers where Docker runs, or KAFKA_BROKERS).
describe('change feed over Kafka', () => {
  const kafka = createKafkaClient({
    brokers: runKafkaBrokers(),
    clientId: 'crh-feed-test',
    logger: quietLogger,
  });
  const subscribers: ChangeFeedSubscriber[] = [];
  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.close()));
  });

  it('gives every subscriber every change published after it started, in order per key', async () => {
    const topic = `crh.changes.test-${randomUUID().slice(0, 8)}`;
    const publisher = createKafkaPublisher({ kafka, topic });
    // Published before anyone listens: history, not delivered.
    await publisher.publish([{ key: 'c-0', value: { key: 'c-0', n: -1 } }]);

    const inboxes = [[], []] as { key: string; n: number }[][];
    for (const inbox of inboxes) {
      const subscriber = createKafkaSubscriber({ kafka, topic, logger: quietLogger });
      subscribers.push(subscriber);
      await subscriber.start((values) => inbox.push(...(values as { key: string; n: number }[])));
    }
    const keys = Array.from({ length: 20 }, (_, i) => `c-${i}`);
    for (let n = 0; n < 10; n++) {
      await publisher.publish(keys.map((key) => ({ key, value: { key, n } })));
    }
    for (let i = 0; inboxes.some((inbox) => inbox.length < 200); i++) {
      if (i > 400) throw new Error(`timed out: ${inboxes.map((x) => x.length)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const inbox of inboxes) {
      expect(inbox).toHaveLength(200);
      for (const key of keys) {
        expect(inbox.filter((v) => v.key === key).map((v) => v.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    }
    await publisher.close();
  });
});
