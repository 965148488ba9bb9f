import { randomUUID } from 'node:crypto';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

describe("ingest's request metrics", () => {
  let ingest: IngestServer;
  let database: PlatformTestDatabase;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ingest = await listenIngest(database.store);
  });
  afterAll(async () => {
    await ingest.close();
    await database.close();
  });

  /** The `_count` of the duration histogram for these labels, from /metrics. */
  const count = (text: string, labels: string) =>
    Number(
      text
        .split('\n')
        .find((line) => line.startsWith('crh_http_request_duration_seconds_count{') && line.includes(labels))
        ?.split(' ')
        .at(-1) ?? 0,
    );

  it('counts requests per route template and status, never per path', async () => {
    const feeder = await ingest.auth.bearer('ingest');
    const analyst = await ingest.auth.bearer('analyst');
    const event = () => ({
      id: randomUUID(),
      type: 'ComplimentReceived',
      customerId: `m-${randomUUID().slice(0, 8)}`,
      occurredAt: '2026-03-01T10:15:00Z',
      data: { channel: 'email' },
    });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${ingest.base}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: feeder },
        body: JSON.stringify({ events: [event()] }),
      });
      expect(response.status).toBe(200);
    }
    await fetch(`${ingest.base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: feeder },
      body: JSON.stringify({ events: [{ nonsense: true }] }),
    });
    for (const id of ['c-1', 'c-2', 'c-3']) {
      await (
        await fetch(`${ingest.base}/v1/customers/${id}/events`, { headers: { authorization: analyst } })
      ).text();
    }
    await fetch(`${ingest.base}/v1/events`); // no token: refused before routing

    // A request is counted when its response has finished on the server,
    // which may be a moment after the client has it.
    await new Promise((r) => setTimeout(r, 100));
    const text = await (
      await fetch(`${ingest.base}/metrics`, { headers: { authorization: await ingest.auth.bearer('admin') } })
    ).text();
    expect(count(text, 'method="POST",route="/v1/events",status="200"')).toBe(2);
    expect(count(text, 'method="POST",route="/v1/events",status="400"')).toBe(1);
    expect(count(text, 'method="GET",route="/v1/customers/:customerId/events",status="200"')).toBe(3);
    expect(count(text, 'method="GET",route="(none)",status="401"')).toBe(1);
    expect(text).not.toContain('c-1');
  });
});
