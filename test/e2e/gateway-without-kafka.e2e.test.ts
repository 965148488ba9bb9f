import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalKafka, startLocalKafka } from '@crh/local-kafka';
import { createTestDatabase } from '@crh/testing';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse } from '../support/graphql-subscribers.ts';
import { type Platform, postEvents, startPlatform, waitFor } from '../support/service-process.ts';

// A gateway with CHANGE_FEED=kafka whose broker is away: it starts, answers
// queries and says its feed is degraded; once a broker answers on that
// address the feed joins and a subscription opened meanwhile delivers.
describe('gateway with CHANGE_FEED=kafka and no broker', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let dataDir: string;
  let broker: LocalKafka | undefined;
  let port: number;
  let controllerPort: number;
  const open: Subscriber<unknown>[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crh-kafka-outage-'));
    port = await getPort({ host: '127.0.0.1' });
    controllerPort = await getPort({ host: '127.0.0.1', exclude: [port] });
    const database = await createTestDatabase();
    drop = database.drop;
    // Nothing listens on `port` yet.
    platform = await startPlatform(database.url, {
      env: {
        CHANGE_FEED: 'kafka',
        KAFKA_BROKERS: `127.0.0.1:${port}`,
        CHANGE_FEED_TOPIC: `crh.changes.test-${randomUUID().slice(0, 8)}`,
      },
    });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    const codes = await platform?.stop();
    await broker?.stop();
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
    expect(codes).toEqual([0, 0, 0]);
  });

  const readyz = async () => {
    const response = await fetch(platform.graphql[0]!.replace(/\/graphql$/, '/readyz'));
    return { status: response.status, body: (await response.json()) as { ready: boolean; feed?: string } };
  };

  it('serves queries degraded, then delivers changes once the broker is up', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, feed: 'degraded' } });
    const lead = await platform.auth.bearer('lead');
    const answer = await fetch(platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: lead },
      body: JSON.stringify({ query: '{ relationships(first: 1) { totalCount } }' }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { relationships: { totalCount: 0 } } });

    // Opened while the feed is down: accepted, and fed once it is back.
    type EventData = { eventRecorded: { id: string } };
    const sse = await subscribeSse<EventData>(
      platform.graphql[0]!,
      lead,
      'subscription { eventRecorded { id } }',
      {},
    );
    open.push(sse as Subscriber<unknown>);

    broker = await startLocalKafka({ dataDir, port, controllerPort });
    await waitFor(async () => ((await readyz()).body.feed === 'up' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the gateway feed to join',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${platform.services[2]!.output().slice(-3000)}`);
    });

    const ingest = await platform.auth.bearer('ingest');
    const post = async (name: string) => {
      const event = {
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId: `outage-${randomUUID().slice(0, 8)}`,
        occurredAt: new Date().toISOString(),
        data: { name, accountManagerId: 'am-o' },
      };
      expect((await postEvents(platform.ingest, ingest, [event])).status).toBe(200);
      return event.id;
    };
    const first = await post('After the outage at start');
    await sse.next((d) => d.eventRecorded.id === first, 30_000);

    // The broker goes away mid-run: the gateway says so and goes on serving;
    // what is committed meanwhile reaches the subscription once it is back.
    await broker.stop();
    await waitFor(async () => ((await readyz()).body.feed === 'degraded' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the gateway to notice the broker is gone',
    });
    const during = await post('During the outage');
    broker = await startLocalKafka({ dataDir, port, controllerPort });
    const after = await post('After the outage');
    // Both arrive: the one committed while the broker was away (kept by the
    // projector, published when it is back) and the one after. They are two
    // customers, so two keys of the feed: their order between them is not
    // promised (each customer's own changes are in order).
    await sse.next((d) => d.eventRecorded.id === after, 60_000);
    await sse.next((d) => d.eventRecorded.id === during, 60_000);
    const ids = sse.received.map((d) => d.eventRecorded.id);
    expect(ids[0]).toBe(first);
    expect(ids.slice(1).sort()).toEqual([during, after].sort()); // each once
    expect((await readyz()).body.feed).toBe('up');
  });
});
