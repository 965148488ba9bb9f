import { Agent, get, type IncomingMessage, request } from 'node:http';
import { dirname } from 'node:path';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import type { EventStore } from '@crh/event-store';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createTestDatabase, type TestDatabase, testEvent } from '@crh/testing';
import getPort from 'get-port';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

// SIGTERM to a real ingest process while clients are busy with it: what
// was acknowledged is stored, kept-alive connections are not given new
// work, a replay ends on a line boundary, and the exit is clean.
describe('ingest drains on SIGTERM', () => {
  let auth: TestAuth;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    auth = await openTestAuth();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function startIngest(): Promise<{
    base: string;
    port: number;
    ingest: ServiceProcess;
    store: EventStore;
    database: TestDatabase;
  }> {
    const database = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url });
    cleanup.push(
      () => database.drop(),
      () => pool.end(),
    );
    const port = await getPort();
    const ingest = startService('ingest', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
      SHUTDOWN_TIMEOUT_MS: '8000',
    });
    cleanup.push(() => ingest.stop());
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), { what: 'ingest' });
    return { base, port, ingest, store: createPostgresEventStore({ pool }), database };
  }

  it('refuses new requests on kept-alive connections, stores every acknowledged event, exits 0', async () => {
    const { port, ingest, store } = await startIngest();
    const token = await auth.bearer('ingest');
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    cleanup.push(async () => agent.destroy());
    const acknowledged: string[] = [];
    const answers: { afterSignal: boolean; status: number; connection: string | undefined }[] = [];
    let signalled = false;
    let sent = 0;

    const post = (n: number) =>
      new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
        const event = testEvent(`drain-${n}`, 'ComplimentReceived', '2026-04-01T09:00:00Z', {
          channel: 'email',
        });
        const req = request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/v1/events',
            headers: { 'content-type': 'application/json', authorization: token },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (c: string) => (body += c));
            res.on('end', () => {
              if (res.statusCode === 200) acknowledged.push(event.id);
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
            });
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ events: [event] }));
      });

    // Four clients, each posting one event after another on its kept-alive connection.
    const worker = async () => {
      for (;;) {
        try {
          const answer = await post(sent++);
          answers.push({ afterSignal: signalled, ...answer });
          if (answer.status !== 200 && answer.status !== 503) throw new Error(answer.body);
        } catch (error) {
          // Refused or reset once the server is gone: that client is done.
          if (signalled) return;
          throw error;
        }
      }
    };
    const workers = Promise.all([worker(), worker(), worker(), worker()]);
    await waitFor(async () => (acknowledged.length >= 100 ? true : undefined), { what: '100 posts' });
    const stopped = ingest.stop();
    signalled = true;
    expect(await stopped).toBe(0);
    await workers;

    const late = answers.filter((a) => a.afterSignal);
    // Answered after the signal: at most what was on its way before the
    // process saw it (one per connection, give or take the signal's delivery);
    // without the drain, kept-alive clients go on being served until exit.
    expect(late.filter((a) => a.status === 200 && a.connection !== 'close').length).toBeLessThanOrEqual(8);
    // The drain was seen by the clients: a refusal or a closing answer.
    expect(late.some((a) => a.status === 503 || a.connection === 'close')).toBe(true);
    for (const refused of late.filter((a) => a.status === 503)) expect(refused.connection).toBe('close');

    const stored = new Set<string>();
    for await (const chunk of store.replay({}))
      for (const line of chunk.split('\n').filter(Boolean))
        stored.add((JSON.parse(line) as { id: string }).id);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);

  it('ends a running replay on a line boundary', async () => {
    const { base, ingest, store } = await startIngest();
    // About 10 MB of log: far more than the sockets buffer.
    for (let batch = 0; batch < 10; batch++) {
      await store.append(
        Array.from({ length: 500 }, (_, i) =>
          testEvent(`replay-${batch}-${i}`, 'ContactLogged', '2026-04-01T09:00:00Z', {
            channel: 'call',
            direction: 'outbound',
            summary: 'x'.repeat(2_000),
          }),
        ),
      );
    }
    const token = await auth.bearer('analyst');
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${base}/v1/events`, { headers: { authorization: token } }, resolve).on('error', reject),
    );
    expect(response.statusCode).toBe(200);
    const chunks: Buffer[] = [];
    // Read a little, then stop reading: the replay waits on a full socket.
    await new Promise<void>((resolve) =>
      response.once('data', (chunk: Buffer) => {
        chunks.push(chunk);
        response.pause();
        resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const stopped = ingest.stop();
    const ended = new Promise<'complete' | 'cut'>((resolve) => {
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(response.complete ? 'complete' : 'cut'));
      response.on('error', () => resolve('cut'));
      response.on('aborted', () => resolve('cut'));
    });
    await new Promise((r) => setTimeout(r, 300));
    response.resume();
    expect(await ended).toBe('cut');
    expect(await stopped).toBe(0);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    // Cut short, not complete: the client knows to resume.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(5_000);
  }, 60_000);
});
