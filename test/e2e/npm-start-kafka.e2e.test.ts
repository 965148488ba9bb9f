import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient } from '@crh/messaging/kafka';
import { createTestDatabase, quietLogger, runKafkaBrokers } from '@crh/testing';
import getPort from 'get-port';
import { afterAll, describe, expect, it } from 'vitest';
import { subscribeSse } from '../support/graphql-subscribers.ts';
import { postEvents, printedToken, runCli, waitFor } from '../support/service-process.ts';

// `npm start -- --kafka` on the test run's broker (KAFKA_BROKERS): the change
// feed on Kafka and the relay copying the log to the data teams' topic, with
// access control on: the admin token is the one it printed.
describe('crh start --kafka', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('runs the feed on Kafka, relays posted events to the topic, and stops cleanly', async () => {
    const database = await createTestDatabase();
    drops.push(database.drop);
    const [gateway, ingest, projector, relay] = [
      await getPort(),
      await getPort(),
      await getPort(),
      await getPort(),
    ];
    const dataDir = await mkdtemp(join(tmpdir(), 'crh-start-kafka-'));
    drops.push(() => rm(dataDir, { recursive: true, force: true }));
    const relayTopic = `crh.events.start-${randomUUID().slice(0, 8)}`;
    const { CRH_AUTH: _auth, CRH_AUTH_JWKS_URL: _idp, ...inherited } = process.env;
    const env = {
      ...inherited,
      LOG_LEVEL: 'warn',
      // Its own local key, not the clone's.
      CRH_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      KAFKA_BROKERS: runKafkaBrokers().join(','),
      CHANGE_FEED_TOPIC: `crh.changes.start-${randomUUID().slice(0, 8)}`,
      RELAY_TOPIC: relayTopic,
      RELAY_PARTITIONS: '3',
      GATEWAY_PORT: String(gateway),
      INGEST_PORT: String(ingest),
      PROJECTOR_PORT: String(projector),
      RELAY_PORT: String(relay),
    };
    const cli = runCli(['start', '--kafka'], env);
    const kafka = createKafkaClient({
      brokers: env.KAFKA_BROKERS.split(','),
      clientId: 'start-test',
      logger: quietLogger,
    });
    const consumer = kafka.consumer({ groupId: `start-test-${randomUUID()}` });
    try {
      await cli.up();
      expect(cli.output()).toContain(relayTopic);
      const adminToken = `Bearer ${printedToken(cli.output(), 'admin token:')}`;
      // Without a token the gateway answers nothing but its probes.
      expect((await fetch(`http://127.0.0.1:${gateway}/readyz`)).status).toBe(200);
      const anonymous = await fetch(`http://127.0.0.1:${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { eventRecorded { id } }' }),
      });
      expect(anonymous.status).toBe(401);
      const sse = await subscribeSse<{ eventRecorded: { id: string } }>(
        `http://127.0.0.1:${gateway}/graphql`,
        adminToken,
        'subscription { eventRecorded { id } }',
      );
      const event = {
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId: 'start-kafka-1',
        occurredAt: new Date().toISOString(),
        data: { name: 'Via Kafka', accountManagerId: 'am-k' },
      };
      const posted = await postEvents(`http://127.0.0.1:${ingest}`, adminToken, [event]);
      expect(posted.status).toBe(200);
      await sse.next((d) => d.eventRecorded.id === event.id, 30_000);
      sse.close();

      const relayed: { key: string; value: { id: string; customerId: string; data: unknown } }[] = [];
      await consumer.connect();
      const admin = kafka.admin();
      await admin.connect();
      await waitFor(async () => ((await admin.listTopics()).includes(relayTopic) ? true : undefined), {
        what: 'the relay topic',
      }).finally(() => admin.disconnect());
      await consumer.subscribe({ topics: [relayTopic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          relayed.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) });
        },
      });
      await waitFor(async () => (relayed.some((r) => r.value.id === event.id) ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the event on the relay topic',
      });
      expect(relayed.find((r) => r.value.id === event.id)).toMatchObject({
        key: 'start-kafka-1',
        // The name is personal: the topic carries it sealed (docs/erasure.md).
        value: { customerId: 'start-kafka-1', data: { name: expect.stringMatching(/^enc:v1:/) } },
      });
      expect(JSON.stringify(relayed)).not.toContain('Via Kafka');
    } finally {
      await consumer.disconnect().catch(() => undefined);
      cli.interrupt();
    }
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('[crh] stopped');
  });
});
