import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { recreateDatabase } from '@crh/embedded-postgres';
import { withServices } from '../platform/service-processes.ts';
import { type Latency, latencyOf } from './latency.ts';

export interface SubscriptionFigures {
  feed: string;
  subscribers: number;
  events: number;
  /** Every (event, subscriber) delivery: POST sent -> SSE message read. */
  delivery: Latency;
  /** Per event, the slowest of all subscribers. */
  lastSubscriber: Latency;
  /** Deliveries that never arrived within the wait. */
  missing: number;
}

const QUERY = 'subscription { eventRecorded(types: ["ContactLogged"]) { id customerId } }';

/**
 * Event posted -> subscriber notified, through ingest, projector, the change
 * feed and one gateway, with `subscribers` SSE subscriptions open on it,
 * each receiving every event (the widest fan-out). Events are posted one per
 * request at `ratePerSecond`; the clients run in this process.
 */
export async function benchSubscriptions(
  adminUrl: string,
  options: {
    subscribers: number;
    events: number;
    ratePerSecond: number;
    env: NodeJS.ProcessEnv;
    feed: string;
    log: (line: string) => void;
  },
): Promise<SubscriptionFigures> {
  const url = await recreateDatabase(adminUrl, 'crh_bench_live');
  return withServices(url, options.env, async ({ ingest, graphql, authorization }) => {
    const post = async (events: object[]) => {
      const response = await fetch(`${ingest}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ events }),
      });
      if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    };
    const customers = Array.from({ length: 100 }, (_, i) => `live-${i}`);
    await post(
      customers.map((customerId, i) => ({
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId,
        occurredAt: new Date().toISOString(),
        data: { name: customerId, accountManagerId: `am-${i % 10}` },
      })),
    );

    options.log(`${options.feed}: opening ${options.subscribers} SSE subscriptions ...`);
    const sentAt = new Map<string, number>();
    const times = new Map<string, number[]>();
    let delivered = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    const streams = await Promise.all(
      Array.from({ length: options.subscribers }, () =>
        openStream(graphql, authorization, agent, (id) => {
          const sent = sentAt.get(id);
          if (sent === undefined) return;
          const list = times.get(id) ?? [];
          list.push(performance.now() - sent);
          times.set(id, list);
          delivered++;
        }),
      ),
    );

    options.log(`${options.feed}: posting ${options.events} events at ${options.ratePerSecond}/s ...`);
    const interval = 1000 / options.ratePerSecond;
    const started = performance.now();
    const posts: Promise<void>[] = [];
    for (let i = 0; i < options.events; i++) {
      const wait = started + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = randomUUID();
      sentAt.set(id, performance.now());
      posts.push(
        post([
          {
            id,
            type: 'ContactLogged',
            customerId: customers[i % customers.length],
            occurredAt: new Date().toISOString(),
            data: { channel: 'call', direction: 'outbound' },
          },
        ]),
      );
    }
    await Promise.all(posts);
    const expected = options.events * options.subscribers;
    const deadline = Date.now() + 60_000;
    while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const close of streams) close();
    agent.destroy();

    const all = [...times.values()].flat();
    const slowest = [...times.values()].map((list) => Math.max(...list));
    return {
      feed: options.feed,
      subscribers: options.subscribers,
      events: options.events,
      delivery: latencyOf(`${options.feed}: event posted -> SSE subscriber notified`, all),
      lastSubscriber: latencyOf(
        `${options.feed}: event posted -> last of ${options.subscribers} notified`,
        slowest,
      ),
      missing: expected - delivered,
    };
  });
}

/** One SSE subscription over a raw HTTP request; resolves once the stream is open. */
function openStream(
  graphql: string,
  authorization: string,
  agent: Agent,
  onEvent: (id: string) => void,
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = request(
      graphql,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
      },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscribe answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            const match = /"eventRecorded":\{"id":"([^"]+)"/.exec(block);
            if (match) onEvent(match[1]!);
          }
        });
        res.on('error', () => {});
        resolve(() => req.destroy());
      },
    );
    req.on('error', (error) => reject(error));
    req.end(JSON.stringify({ query: QUERY }));
  });
}
