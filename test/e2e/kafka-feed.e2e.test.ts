import { randomUUID } from 'node:crypto';
import { createTestDatabase, runKafkaBrokers } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse, subscribeWs } from '../support/graphql-subscribers.ts';
import { type Platform, postEvents, startPlatform } from '../support/service-process.ts';

// The full stack's feed: the projector publishes to a Kafka topic on a real
// broker, and each of two gateway processes consumes all of it (a consumer
// group of its own), so a dashboard on either one sees every change.
describe('change feed over Kafka: two gateway processes both deliver', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  const open: Subscriber<unknown>[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    platform = await startPlatform(database.url, {
      gateways: 2,
      env: {
        CHANGE_FEED: 'kafka',
        KAFKA_BROKERS: runKafkaBrokers().join(','),
        CHANGE_FEED_TOPIC: `crh.changes.test-${randomUUID().slice(0, 8)}`,
      },
    });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    const codes = await platform?.stop();
    await drop?.();
    expect(codes).toEqual([0, 0, 0, 0]);
  });

  it('delivers each posted event, in order, on SSE at one gateway and on WebSocket at the other', async () => {
    const manager = `am-${randomUUID().slice(0, 8)}`;
    const customers = [0, 1, 2].map((i) => `kafka-${i}-${randomUUID().slice(0, 6)}`);
    type EventData = { eventRecorded: { id: string; customerId: string; revision: number } };
    const query = 'subscription ($t: [String!]) { eventRecorded(types: $t) { id customerId revision } }';
    const [first, second] = platform.graphql as [string, string];
    const lead = await platform.auth.bearer('lead');
    const ingest = await platform.auth.bearer('ingest');
    const sse = await subscribeSse<EventData>(first, lead, query, {});
    const ws = await subscribeWs<EventData>(second, lead, query, {});
    const status = await subscribeSse<{ relationshipStatusChanged: { customerId: string; to: string } }>(
      second,
      lead,
      'subscription ($m: ID) { relationshipStatusChanged(accountManagerId: $m) { customerId to } }',
      { m: manager },
    );
    open.push(sse, ws, status as Subscriber<unknown>);

    const post = async (events: unknown[]) =>
      expect((await postEvents(platform.ingest, ingest, events)).status).toBe(200);
    const event = (customerId: string, type: string, data: object) => ({
      id: randomUUID(),
      type,
      customerId,
      occurredAt: new Date().toISOString(),
      data,
    });
    // The WebSocket subscribe has no answer to wait for: probe until it delivers.
    for (let attempt = 0; ; attempt++) {
      const probe = event(`probe-${randomUUID().slice(0, 8)}`, 'CustomerOnboarded', {
        name: 'Probe',
        accountManagerId: 'am-probe',
      });
      await post([probe]);
      const seen = await ws
        .next((d) => d.eventRecorded.id === probe.id, 3_000)
        .then(
          () => true,
          () => false,
        );
      if (seen) break;
      if (attempt === 5) throw new Error('the WebSocket subscription never delivered');
    }

    const sent: { id: string; customerId: string }[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = customers.map((customerId) =>
        round === 0
          ? event(customerId, 'CustomerOnboarded', { name: customerId, accountManagerId: manager })
          : event(customerId, 'ContactLogged', { channel: 'call', direction: 'outbound' }),
      );
      sent.push(...batch);
      await post(batch);
    }
    // Order holds per customer (one partition each), not across customers.
    for (const subscriber of [sse, ws]) {
      for (const customerId of customers) {
        const last = sent.filter((e) => e.customerId === customerId).at(-1)!;
        await subscriber.next((d) => d.eventRecorded.id === last.id, 20_000);
        const got = subscriber.received.filter((d) => d.eventRecorded.customerId === customerId);
        expect(got.map((d) => d.eventRecorded.revision)).toEqual([0, 1, 2]);
        expect(got.map((d) => d.eventRecorded.id)).toEqual(
          sent.filter((e) => e.customerId === customerId).map((e) => e.id),
        );
      }
    }
    for (const customerId of customers) {
      const change = await status.next((d) => d.relationshipStatusChanged.customerId === customerId, 20_000);
      expect(change.relationshipStatusChanged.to).toBe('ACTIVE');
    }
  });
});
