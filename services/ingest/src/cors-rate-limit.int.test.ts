import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

const LISTED = 'https://crm.example.org';
const FOREIGN = 'https://evil.example.com';

describe('ingest CORS and rate limits', () => {
  let database: PlatformTestDatabase;
  /** CRH_CORS_ORIGINS unset. */
  let plain: IngestServer;
  /** CRH_CORS_ORIGINS=https://crm.example.org, and small rate limits. */
  let listed: IngestServer;
  let analyst: string;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    plain = await listenIngest(database.store);
    listed = await listenIngest(database.store, {
      auth: plain.auth,
      corsOrigins: [LISTED],
      limits: { replay: '3/min', read: '5/min' },
    });
    analyst = await plain.auth.bearer('analyst', { sub: 'cors-analyst' });
  });
  afterAll(async () => {
    await plain?.close();
    await listed?.close();
    await database?.close();
  });

  const preflight = (server: IngestServer, origin: string) =>
    fetch(`${server.base}/v1/events`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  describe('CORS', () => {
    it('answers a listed origin with itself, never with credentials, and lets it read the refusal headers', async () => {
      const answer = await fetch(`${listed.base}/v1/events/count`, {
        headers: { origin: LISTED, authorization: analyst },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('vary')).toMatch(/origin/i);
      expect(answer.headers.get('access-control-expose-headers')).toMatch(/crh-up-to/);

      const refused = await fetch(`${listed.base}/v1/events/count`, { headers: { origin: LISTED } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(refused.headers.get('access-control-expose-headers')).toMatch(/www-authenticate/);
    });

    it("answers a listed origin's preflight without a token, allowing the Authorization header", async () => {
      const answer = await preflight(listed, LISTED);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(answer.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(answer.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it.each([
      ['a foreign origin, with a list', () => listed, FOREIGN],
      ['any origin, without a list', () => plain, LISTED],
    ])('gives %s no CORS header, on requests and preflights alike', async (_name, server, origin) => {
      const answer = await fetch(`${server().base}/v1/events/count`, {
        headers: { origin, authorization: analyst },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      const refused = await preflight(server(), origin);
      // No CORS answer: the preflight is a request without a token like any other.
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();
    });

    it('answers `*` in the list with a wildcard, still without credentials', async () => {
      const any = await listenIngest(database.store, { auth: plain.auth, corsOrigins: ['*'] });
      try {
        const answer = await preflight(any, FOREIGN);
        expect(answer.status).toBe(204);
        expect(answer.headers.get('access-control-allow-origin')).toBe('*');
        expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      } finally {
        await any.close();
      }
    });
  });

  describe('rate limits per token subject', () => {
    it('refuses the replay API over its limit with 429 and Retry-After, per subject and per kind of route', async () => {
      const first = await listed.auth.bearer('analyst', { sub: 'limited-analyst' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${listed.base}/v1/events/count`, { headers: { authorization: first } });
        statuses.push(response.status);
        if (response.status === 429) {
          const retryAfter = Number(response.headers.get('retry-after'));
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(60);
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await response.json()).toMatchObject({
            type: 'urn:crh:problem:too-many-requests',
            status: 429,
            detail: expect.stringMatching(/3\/min/),
          });
        } else {
          await response.arrayBuffer();
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      // The stream of a replay counts the same budget.
      expect((await fetch(`${listed.base}/v1/events`, { headers: { authorization: first } })).status).toBe(
        429,
      );
      // Other reads have a budget of their own.
      const stream = await fetch(`${listed.base}/v1/customers/c-1/events`, {
        headers: { authorization: first },
      });
      expect(stream.status).toBe(200);
      await stream.arrayBuffer();
      // Another subject is not held back by this one.
      const second = await listed.auth.bearer('analyst', { sub: 'other-analyst' });
      const other = await fetch(`${listed.base}/v1/events/count`, { headers: { authorization: second } });
      expect(other.status).toBe(200);
    });

    it('checks the permission before counting: forbidden requests use up no budget', async () => {
      const feeder = await listed.auth.bearer('ingest', { sub: 'limited-feeder' });
      // Five of the five reads a minute, all forbidden (/metrics is for admins)...
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${listed.base}/metrics`, { headers: { authorization: feeder } })).status).toBe(
          403,
        );
      }
      // ...and the sixth read is still let through.
      const openapi = await fetch(`${listed.base}/openapi.json`, { headers: { authorization: feeder } });
      expect(openapi.status).toBe(200);
    });
  });
});
