import { randomUUID } from 'node:crypto';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

describe('ingest API on a real PostgreSQL event log', () => {
  let ingest: IngestServer;
  let base: string;
  let database: PlatformTestDatabase;
  /** A feeding system's token (POST) and an analyst's (reads). */
  let feeder: string;
  let analyst: string;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ingest = await listenIngest(database.store, { bodyLimit: '64kb' });
    base = ingest.base;
    feeder = await ingest.auth.bearer('ingest');
    analyst = await ingest.auth.bearer('analyst');
  });

  afterAll(async () => {
    await ingest.close();
    await database.close();
  });

  const contact = (customerId: string, extra: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    type: 'ContactLogged',
    customerId,
    occurredAt: '2026-03-01T10:15:00Z',
    data: { channel: 'call', direction: 'outbound' },
    ...extra,
  });
  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: feeder },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const streamOf = async (customerId: string) =>
    (
      (await (
        await fetch(`${base}/v1/customers/${customerId}/events`, { headers: { authorization: analyst } })
      ).json()) as {
        events: { id: string }[];
      }
    ).events;

  it('records a batch and answers results in request order with positions and revisions', async () => {
    const a = contact('c-a');
    const b = contact('c-b');
    const a2 = contact('c-a', { metadata: { source: 'crm-sync' }, actorId: 'am-7' });
    const response = await post({ events: [a, b, a2] });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as {
      results: { id: string; status: string; position: string; revision: number }[];
    };
    expect(results.map((r) => [r.id, r.status, r.revision])).toEqual([
      [a.id, 'recorded', 0],
      [b.id, 'recorded', 0],
      [a2.id, 'recorded', 1],
    ]);
    expect(typeof results[0]!.position).toBe('string');
    const stream = await streamOf('c-a');
    expect(stream).toEqual([
      expect.objectContaining({ id: a.id, revision: 0, occurredAt: '2026-03-01T10:15:00.000Z' }),
      expect.objectContaining({ id: a2.id, revision: 1, actorId: 'am-7', metadata: { source: 'crm-sync' } }),
    ]);
  });

  it('treats a re-sent id as a duplicate and never records it twice', async () => {
    const event = contact('c-dup');
    const first = (await (await post({ events: [event] })).json()) as { results: { position: string }[] };
    const again = (await (await post({ events: [event, contact('c-dup')] })).json()) as {
      results: { status: string; position: string; revision: number }[];
    };
    expect(again.results[0]).toEqual({
      id: event.id,
      status: 'duplicate',
      position: first.results[0]!.position,
      revision: 0,
    });
    expect(again.results[1]).toMatchObject({ status: 'recorded', revision: 1 });
    expect(await streamOf('c-dup')).toHaveLength(2);
  });

  it('answers 400 problem+json listing every invalid envelope and records nothing', async () => {
    const good = contact('c-bad');
    const response = await post({
      events: [
        good,
        { ...contact('c-bad'), type: 'Unheard' },
        { ...contact('bad id!'), occurredAt: 'yesterday' },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as {
      type: string;
      title: string;
      errors: { index: number; path: string }[];
    };
    expect(problem.type).toBe('urn:crh:problem:validation-failed');
    expect(problem.errors.map((e) => [e.index, e.path])).toEqual(
      expect.arrayContaining([
        [1, 'type'],
        [2, 'customerId'],
        [2, 'occurredAt'],
      ]),
    );
    expect(await streamOf('c-bad')).toEqual([]);
  });

  it('answers 409 on a wrong expectedRevision and records nothing of the batch', async () => {
    await post({ events: [contact('c-rev')] });
    const other = contact('c-rev-other');
    const response = await post({ events: [other, contact('c-rev', { expectedRevision: 5 })] });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      status: 409,
      customerId: 'c-rev',
      expectedRevision: 5,
      actualRevision: 0,
    });
    expect(await streamOf('c-rev-other')).toEqual([]);
    const ok = await post({ events: [contact('c-rev', { expectedRevision: 0 })] });
    expect(ok.status).toBe(200);
  });

  it('answers 415, 413 and malformed JSON as problems without stack traces', async () => {
    const wrongType = await post('events=1', 'text/plain');
    expect(wrongType.status).toBe(415);
    const tooLarge = await post({ events: [contact('c-big', { metadata: { pad: 'x'.repeat(70_000) } })] });
    expect(tooLarge.status).toBe(413);
    const malformed = await post('{"events": [', 'application/json');
    expect(malformed.status).toBe(400);
    for (const response of [wrongType, tooLarge, malformed]) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await response.text();
      expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('validates the customer id of a stream read and answers unknown routes with 404 problems', async () => {
    const headers = { authorization: analyst };
    expect(
      (await fetch(`${base}/v1/customers/${encodeURIComponent('no spaces')}/events`, { headers })).status,
    ).toBe(400);
    const missing = await fetch(`${base}/v1/nothing`, { headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('reports health and readiness to anyone, and echoes the request id', async () => {
    const response = await fetch(`${base}/readyz`, { headers: { 'x-request-id': 'req-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
