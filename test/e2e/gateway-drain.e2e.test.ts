import { dirname } from 'node:path';
import { openTestAuth } from '@crh/auth/testing';
import { createTestDatabase } from '@crh/testing';
import getPort from 'get-port';
import { createClient } from 'graphql-ws';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

// SIGTERM to a real gateway process with subscribers on both transports:
// they end cleanly (not cut), and the process exits 0.
describe('the gateway drains on SIGTERM', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('completes SSE streams, closes graphql-ws sockets with 1001 and exits 0', async () => {
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const auth = await openTestAuth();
    const port = await getPort();
    const gateway: ServiceProcess = startService('gateway', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
    });
    cleanup.push(() => gateway.stop());
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), {
      what: 'gateway',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${gateway.output()}`);
    });
    const lead = await auth.bearer('lead');
    const query = 'subscription { relationshipStatusChanged { customerId } }';
    const sse = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: lead },
      body: JSON.stringify({ query }),
    });
    expect(sse.status).toBe(200);
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
      connectionParams: { authorization: lead },
    });
    const closeCode = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe({ query }, { next: () => {}, error: () => {}, complete: () => {} });
    await subscribed;
    await new Promise((r) => setTimeout(r, 200)); // the subscribe message reaches the gateway

    const started = performance.now();
    expect(await gateway.stop()).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await sse.text()).toContain('event: complete');
    expect(await closeCode).toBe(1001);
  }, 60_000);
});
