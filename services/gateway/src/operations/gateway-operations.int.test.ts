import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LiveGateway, openLiveGateway } from '../../testing/live-gateway.ts';

const SUBSCRIPTION = 'subscription Watch { relationshipStatusChanged { customerId } }';

/** Opens an SSE subscription; resolves with its body once the gateway answered. */
async function openSse(url: string, authorization: string, signal?: AbortSignal) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
    body: JSON.stringify({ query: SUBSCRIPTION }),
    ...(signal ? { signal } : {}),
  });
  expect(response.status).toBe(200);
  return response;
}

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe("the gateway's /metrics", () => {
  let live: LiveGateway;
  let metricsUrl: string;
  let admin: string;

  beforeAll(async () => {
    live = await openLiveGateway();
    metricsUrl = live.gateway.url.replace(/\/graphql$/, '/metrics');
    admin = await live.auth.bearer('admin');
  });
  afterAll(() => live.close());

  const metrics = async () => {
    const response = await fetch(metricsUrl, { headers: { authorization: admin } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('needs a token with metrics:read (monitoring or admin): 401 without one, 403 for a reader', async () => {
    const anonymous = await fetch(metricsUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const lead = await fetch(metricsUrl, { headers: { authorization: await live.auth.bearer('lead') } });
    expect(lead.status).toBe(403);
    const monitoring = await fetch(metricsUrl, {
      headers: { authorization: await live.auth.bearer('monitoring') },
    });
    expect(monitoring.status).toBe(200);
    expect(await monitoring.text()).toContain('crh_gateway_subscriptions');
  });

  it('counts requests, errors and durations per GraphQL operation', async () => {
    const lead = await live.auth.bearer('lead');
    const ask = (query: string) =>
      fetch(live.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: lead },
        body: JSON.stringify({ query }),
      });
    for (let i = 0; i < 3; i++) {
      expect((await ask('query Fans { fans(date: "2026-04-01") { employeeId } }')).status).toBe(200);
    }
    await ask('query Broken { dailyKpis(from: "2026-04-02", to: "2026-04-01") { date } }');
    const text = await metrics();
    expect(sample(text, 'graphql_envelop_request', { operationName: 'Fans', operationType: 'query' })).toBe(
      3,
    );
    expect(
      sample(text, 'graphql_envelop_request_duration_count', {
        operationName: 'Fans',
        operationType: 'query',
      }),
    ).toBe(3);
    expect(sample(text, 'graphql_yoga_http_duration_count', { operationName: 'Fans' })).toBe(3);
    expect(text).toMatch(/graphql_envelop_error_result\{[^}]*operationName="Broken"/);
    expect(text).toContain('crh_process_resident_memory_bytes');
  });

  it('has a gauge of the open subscriptions', async () => {
    const stop = new AbortController();
    await openSse(live.gateway.url, await live.auth.bearer('lead'), stop.signal);
    await live.subscriptions(1);
    expect(sample(await metrics(), 'crh_gateway_subscriptions')).toBe(1);
    stop.abort();
    for (let i = 0; live.gateway.live.subscriptions() > 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sample(await metrics(), 'crh_gateway_subscriptions')).toBe(0);
  });
});

describe('the gateway shutting down', () => {
  it('completes SSE streams, closes graphql-ws sockets with 1001, and refuses what comes after', async () => {
    const live = await openLiveGateway();
    try {
      const lead = await live.auth.bearer('lead');
      const sse = await openSse(live.gateway.url, lead);
      const client = createClient({
        url: live.gateway.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {},
        connectionParams: { authorization: lead },
      });
      const closeCode = new Promise<number>((resolve) =>
        client.on('closed', (event) => resolve((event as { code: number }).code)),
      );
      client.subscribe({ query: SUBSCRIPTION }, { next: () => {}, error: () => {}, complete: () => {} });
      await live.subscriptions(2);

      const started = performance.now();
      await live.gateway.close(5_000);
      // Nothing had to be cut: it closed well before the grace ran out.
      expect(performance.now() - started).toBeLessThan(2_000);
      // The SSE stream ended with Yoga's `complete` event, not a cut.
      const text = await sse.text();
      expect(text).toContain('event: complete');
      expect(await closeCode).toBe(1001);
      expect(live.gateway.live.subscriptions()).toBe(0);
      await expect(fetch(live.gateway.url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
    } finally {
      await live.close().catch(() => undefined);
    }
  });
});

describe('graphql-ws message size', () => {
  it('closes a socket that sends a message over 1 MiB (1009), before reading it as an operation', async () => {
    const live = await openLiveGateway();
    try {
      const socket = new WebSocket(live.gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(1_100_000) } }));
      expect(await closed).toBe(1009);
    } finally {
      await live.close();
    }
  });
});
