import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { recreateDatabase } from '@crh/embedded-postgres';
import { withServices } from '../platform/service-processes.ts';
import { type Latency, latencyOf } from './latency.ts';
import { cpuSecondsOf } from './process-cpu.ts';
import { openSseStream } from './sse-stream.ts';

export interface SubscriptionFigures {
  feed: string;
  /** Who subscribed: readers of every book, or account managers each on its own book. */
  scope: string;
  subscribers: number;
  events: number;
  /** Every (event, subscriber) delivery expected: events x the subscribers whose book holds the event. */
  deliveries: number;
  /** Every (event, subscriber) delivery: POST sent -> SSE message read. */
  delivery: Latency;
  /** Per event, the slowest of the subscribers it went to. */
  lastSubscriber: Latency;
  /** Deliveries that never arrived within the wait. */
  missing: number;
  /** Deliveries to a subscriber whose book does not hold the event: must be 0. */
  foreign: number;
  /** CPU the gateway process spent from the first event posted to the last delivery (Linux; else null). */
  gatewayCpuSeconds: number | null;
}

const QUERY = 'subscription { eventRecorded(types: ["ContactLogged"]) { id customerId } }';

/**
 * Event posted -> subscriber notified, through ingest, projector, the change
 * feed and one gateway, with `subscribers` SSE subscriptions open on it.
 * Unscoped (`managers` absent): each subscriber is a `lead` and receives
 * every event (the widest fan-out). Scoped: each subscriber is an
 * `account-manager` of one of `managers` books (subscriber i: book i mod
 * managers), and the gateway delivers it only the events of customers in
 * its book as of today. Events are posted one per request at
 * `ratePerSecond`; the clients run in this process, with tokens signed by
 * the services' local key.
 */
export async function benchSubscriptions(
  adminUrl: string,
  options: {
    subscribers: number;
    events: number;
    ratePerSecond: number;
    env: NodeJS.ProcessEnv;
    feed: string;
    managers?: number;
    log: (line: string) => void;
  },
): Promise<SubscriptionFigures> {
  const url = await recreateDatabase(adminUrl, 'crh_bench_live');
  const managers = options.managers ?? null;
  const scope =
    managers === null
      ? 'lead (every book)'
      : `account managers (${managers} books, ${Math.ceil(options.subscribers / managers)} subscribers each)`;
  return withServices(url, options.env, async ({ ingest, graphql, auth, gatewayPid }) => {
    const writer = await auth.bearer(['ingest'], { sub: 'bench-writer' });
    const post = async (events: object[]) => {
      const response = await fetch(`${ingest}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: writer },
        body: JSON.stringify({ events }),
      });
      if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    };
    // Two customers per book (at least 100 in all); unscoped, ten books as before.
    const books = managers ?? 10;
    const manager = (book: number) => `bench-am-${book}`;
    const customers = Array.from({ length: Math.max(100, 2 * books) }, (_, i) => ({
      id: `live-${i}`,
      manager: manager(i % books),
    }));
    for (let i = 0; i < customers.length; i += 1000) {
      await post(
        customers.slice(i, i + 1000).map((customer) => ({
          id: randomUUID(),
          type: 'CustomerOnboarded',
          customerId: customer.id,
          occurredAt: new Date().toISOString(),
          data: { name: customer.id, accountManagerId: customer.manager },
        })),
      );
    }

    options.log(`${options.feed}, ${scope}: opening ${options.subscribers} SSE subscriptions ...`);
    // Each subscriber is its own person (its own token sub): the rate limit counts per sub.
    const subscribers = await Promise.all(
      Array.from({ length: options.subscribers }, async (_, i) => {
        if (managers === null)
          return { book: null, token: await auth.bearer(['lead'], { sub: `bench-lead-${i}` }) };
        const book = manager(i % managers);
        return { book, token: await auth.bearer(['account-manager'], { managerId: book }) };
      }),
    );
    const perBook = new Map<string | null, number>();
    for (const { book } of subscribers) perBook.set(book, (perBook.get(book) ?? 0) + 1);
    const sentAt = new Map<string, number>();
    const bookOf = new Map<string, string>();
    const times = new Map<string, number[]>();
    let delivered = 0;
    let foreign = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    const streams = await Promise.all(
      subscribers.map((subscriber) =>
        openSseStream(graphql, agent, subscriber.token, QUERY, {
          data: (data) => {
            const id = /"eventRecorded":\{"id":"([^"]+)"/.exec(data)?.[1];
            const sent = id === undefined ? undefined : sentAt.get(id);
            if (id === undefined || sent === undefined) return;
            if (subscriber.book !== null && bookOf.get(id) !== subscriber.book) foreign++;
            const list = times.get(id) ?? [];
            list.push(performance.now() - sent);
            times.set(id, list);
            delivered++;
          },
        }),
      ),
    );

    options.log(
      `${options.feed}, ${scope}: posting ${options.events} events at ${options.ratePerSecond}/s ...`,
    );
    const interval = 1000 / options.ratePerSecond;
    const cpuBefore = cpuSecondsOf(gatewayPid);
    const started = performance.now();
    const posts: Promise<void>[] = [];
    let expected = 0;
    for (let i = 0; i < options.events; i++) {
      const wait = started + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A stride through the customers spreads the events over the books.
      const customer = customers[(i * 7919) % customers.length]!;
      const id = randomUUID();
      sentAt.set(id, performance.now());
      bookOf.set(id, customer.manager);
      expected += (perBook.get(null) ?? 0) + (perBook.get(customer.manager) ?? 0);
      posts.push(
        post([
          {
            id,
            type: 'ContactLogged',
            customerId: customer.id,
            occurredAt: new Date().toISOString(),
            data: { channel: 'call', direction: 'outbound' },
          },
        ]),
      );
    }
    await Promise.all(posts);
    const deadline = Date.now() + 60_000;
    while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const cpuAfter = cpuSecondsOf(gatewayPid);
    // A moment more, so a delivery that should not come would be counted.
    await new Promise((r) => setTimeout(r, 500));
    for (const close of streams) close();
    agent.destroy();

    const all = [...times.values()].flat();
    const slowest = [...times.values()].map((list) => Math.max(...list));
    const label = `${options.feed}, ${managers === null ? 'unscoped' : `${managers} books`}`;
    return {
      feed: options.feed,
      scope,
      subscribers: options.subscribers,
      events: options.events,
      deliveries: expected,
      delivery: latencyOf(`${label}: event posted -> subscriber notified`, all),
      lastSubscriber: latencyOf(`${label}: event posted -> last subscriber notified`, slowest),
      missing: expected - delivered + foreign,
      foreign,
      gatewayCpuSeconds:
        cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 100) / 100,
    };
  });
}
