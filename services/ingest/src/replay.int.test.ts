import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import type { EventStore } from '@crh/event-store';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

// The replay API over a real socket and a real PostgreSQL log. The store is
// wrapped only to count the chunks the route pulls (backpressure).
describe('replay API: GET /v1/events as NDJSON', () => {
  let ingest: IngestServer;
  let base: string;
  let database: PlatformTestDatabase;
  let pulled = 0;
  /** An analyst's Authorization header: the replay API is for analysts. */
  let analyst: string;
  const read = (url: string) => fetch(url, { headers: { authorization: analyst } });

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    const real = database.store;
    const counting = new Proxy(real, {
      get(target, property) {
        if (property === 'replay') {
          return async function* (options: Parameters<EventStore['replay']>[0]) {
            for await (const chunk of target.replay(options)) {
              pulled += chunk.split('\n').length - 1; // events the route took from the log
              yield chunk;
            }
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    ingest = await listenIngest(counting);
    base = ingest.base;
    analyst = await ingest.auth.bearer('analyst');
  });
  afterAll(async () => {
    await ingest.close();
    await database.close();
  });

  const event = (
    customerId: string,
    type = 'ContactLogged',
    occurredAt = '2026-03-01T10:15:00Z',
    data?: object,
  ) => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt,
    data:
      data ?? (type === 'ContactLogged' ? { channel: 'call', direction: 'outbound' } : { channel: 'email' }),
  });
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            customerId: string;
            type: string;
            position: string;
            revision: number;
          },
      );

  it('streams every envelope in log order, names its end, and resumes after a position', async () => {
    const customer = `replay-${randomUUID().slice(0, 8)}`;
    const events = [
      event(customer, 'CustomerOnboarded', '2026-01-01T09:00:00+01:00', {
        name: 'Replay BV',
        accountManagerId: 'am-1',
      }),
      event(customer),
      event(customer, 'ComplimentReceived'),
      event(customer),
    ];
    const outcomes = await database.store.append(events);
    const response = await read(`${base}/v1/events?customerId=${customer}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const upTo = response.headers.get('crh-up-to');
    expect(upTo).toMatch(/^[0-9a-f]{32}$/);
    const all = lines(await response.text());
    expect(all.map((l) => l.id)).toEqual(events.map((e) => e.id));
    expect(all[0]).toMatchObject({
      occurredAt: '2026-01-01T08:00:00.000Z',
      revision: 0,
      position: outcomes[0]!.position,
    });
    const rest = lines(
      await (
        await read(`${base}/v1/events?customerId=${customer}&after=${all[1]!.position}&upTo=${upTo}`)
      ).text(),
    );
    expect(rest.map((l) => l.id)).toEqual(events.slice(2).map((e) => e.id));
    const compliments = lines(
      await (
        await read(
          `${base}/v1/events?customerId=${customer}&types=ComplimentReceived,CustomerOnboarded&limit=1`,
        )
      ).text(),
    );
    expect(compliments.map((l) => l.type)).toEqual(['CustomerOnboarded']);
    const count = await (
      await read(`${base}/v1/events/count?customerId=${customer}&types=ContactLogged`)
    ).json();
    expect(count).toEqual({ events: 2, upTo: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('never streams past the head, whatever upTo a client asks for', async () => {
    const head = await database.store.headPosition();
    const far = `${'7'.padEnd(16, 'f')}${'7'.padEnd(16, 'f')}`;
    const response = await read(`${base}/v1/events?upTo=${far}&limit=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('crh-up-to')).toBe(head);
    await response.text();
    expect(await (await read(`${base}/v1/events/count?upTo=${far}`)).json()).toMatchObject({ upTo: head });
    const outOfRange = await read(`${base}/v1/events?after=${'f'.repeat(32)}`);
    expect(outOfRange.status).toBe(400);
  });

  it('answers bad parameters with one problem+json listing each, and streams nothing', async () => {
    const response = await read(
      `${base}/v1/events?after=12&from=yesterday&types=ContactLoged&limit=0&colour=red`,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { errors: { parameter: string }[] };
    expect(problem.errors.map((e) => e.parameter).sort()).toEqual([
      'after',
      'colour',
      'from',
      'limit',
      'types',
    ]);
  });

  it('reads the log only as fast as the client takes it (backpressure), and completely when it does', async () => {
    const customer = `replay-big-${randomUUID().slice(0, 8)}`;
    // 20,000 events of about 2 kB: 40 MB, far more than the socket buffers hold.
    const note = 'x'.repeat(2_000);
    for (let i = 0; i < 20; i++) {
      await database.store.append(
        Array.from({ length: 1000 }, () => ({
          ...event(customer),
          data: { channel: 'call', direction: 'outbound', summary: note },
        })),
      );
    }
    pulled = 0;
    const received = await new Promise<number>((resolve, reject) => {
      get(`${base}/v1/events?customerId=${customer}`, { headers: { authorization: analyst } }, (res) => {
        res.pause(); // a client that does not read
        setTimeout(() => {
          try {
            // With the client stalled the route must stop reading the log
            // once the socket is full, not pull everything into memory.
            expect(pulled).toBeGreaterThan(0);
            expect(pulled).toBeLessThan(10_000);
          } catch (error) {
            reject(error);
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(lines(text).length));
          res.resume();
        }, 700);
      }).on('error', reject);
    });
    expect(received).toBe(20_000);
    expect(pulled).toBe(20_000);
  });
});
