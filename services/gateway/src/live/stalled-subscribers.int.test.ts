import { type ChildProcess, fork } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import type { HeapReport, MemoryBoundedGatewayOptions } from '../../testing/memory-bounded-gateway.ts';

const STALLED = 10;
const EVENTS = 5_000;
const EVENT_BYTES = 9_500; // sent by reference: the gateway reads each from the store
const LIMITS = { bytes: 2 * 1024 * 1024, stallMs: 2_000 };

// The measurement, scaled: subscribers (SSE and graphql-ws) that never read while large
// events stream. Each queue stops at its bound and its connection is
// closed, so what the gateway holds afterwards does not grow with the events.
describe('subscribers that stop reading', () => {
  let fixture: GatewayFixture;
  let gateway: ChildProcess;
  let url: string;
  let admin: string;
  const sockets: Socket[] = [];
  const webSockets: WebSocket[] = [];

  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC', { announce: true });
    admin = await fixture.auth.bearer('admin');
    const options: MemoryBoundedGatewayOptions = {
      databaseUrl: fixture.database.url,
      auth: fixture.auth.settings,
      timeZone: 'UTC',
      subscriberLimits: LIMITS,
    };
    gateway = fork(fileURLToPath(new URL('../../testing/memory-bounded-gateway.ts', import.meta.url)), {
      execArgv: ['--max-old-space-size=512', '--expose-gc'],
      env: { ...process.env, CRH_TEST_GATEWAY: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    url = await new Promise<string>((resolve, reject) => {
      gateway.once('message', (message) => resolve((message as { url: string }).url));
      gateway.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening`)));
    });
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const socket of webSockets) socket.terminate();
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.send('stop');
      await exited;
    }
    await fixture?.close();
  });

  const heap = () =>
    new Promise<HeapReport>((resolve) => {
      gateway.once('message', (report) => resolve(report as HeapReport));
      gateway.send('memory');
    });

  const gauges = async () => {
    const text = await (
      await fetch(url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: admin } })
    ).text();
    const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(text)?.[1]);
    return {
      subscriptions: value('crh_gateway_subscriptions'),
      connections: value('crh_gateway_http_connections'),
    };
  };

  /** An SSE subscription whose client never reads a byte of the answer. */
  async function stalledSubscriber(token: string): Promise<Socket> {
    const { hostname, port, pathname } = new URL(url);
    const body = JSON.stringify({ query: 'subscription { eventRecorded { id type data } }' });
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write(
      `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: ${token}\r\n` +
        `accept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return socket;
  }

  /** A graphql-ws subscription whose client stops reading once it is acknowledged. */
  async function stalledWebSocket(token: string): Promise<WebSocket> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const acknowledged = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: token } }));
    await acknowledged;
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { eventRecorded { id type data } }' },
      }),
    );
    // The TCP socket under it: paused, nothing more is read.
    (socket as unknown as { _socket: Socket })._socket.pause();
    return socket;
  }

  it('drops each at its bound, closes its connection, and the heap does not grow with the events', async () => {
    const lead = await fixture.auth.bearer('lead');
    // Half over SSE, half over graphql-ws.
    for (let i = 0; i < STALLED / 2; i++) sockets.push(await stalledSubscriber(lead));
    for (let i = 0; i < STALLED / 2; i++) webSockets.push(await stalledWebSocket(lead));
    for (let i = 0; (await gauges()).subscriptions < STALLED; i++) {
      if (i > 100) throw new Error(`subscriptions: ${JSON.stringify(await gauges())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = await heap();

    for (let i = 0; i < EVENTS; i += 500) {
      await fixture.record(
        Array.from({ length: 500 }, (_, j) =>
          testEvent(`stall-${i + j}`, 'ContactLogged', '2026-04-01T09:00:00Z', {
            channel: 'call',
            direction: 'outbound',
            summary: 'x'.repeat(EVENT_BYTES),
          }),
        ),
      );
    }
    // Every stalled subscriber is dropped and its connection closed (the
    // metrics request itself is the one connection left).
    let seen = await gauges();
    for (let i = 0; (seen.subscriptions > 0 || seen.connections > 1) && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await gauges();
    }
    const after = await heap();
    const heldMb = (after.heapUsed - before.heapUsed) / 1024 / 1024;
    // Measured: about 1 MB; unbounded, the queues keep every event (42 MB).
    expect(heldMb).toBeLessThan(15);
    expect(seen).toEqual({ subscriptions: 0, connections: 1 });
  }, 240_000);
});
