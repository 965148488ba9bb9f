import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import type { Role } from '@crh/auth';
import { openTestAuth } from '@crh/auth/testing';
import { forgedTokens } from '@crh/auth/testing/forged-tokens';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

// Minted before the ingest opens: the forged tokens below are built at collection time.
const auth = await openTestAuth();

// Who may use which route of the ingest, over a real socket and a real
// PostgreSQL log, with tokens minted and forged the way a client would.
describe('ingest access control', () => {
  let ingest: IngestServer;
  let database: PlatformTestDatabase;
  const logLines: Record<string, unknown>[] = [];
  let logText = '';

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        for (const line of chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''))
          logLines.push(JSON.parse(line));
        done();
      },
    });
    ingest = await listenIngest(database.store, { auth, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(async () => {
    await ingest?.close();
    await database?.close();
  });

  const contact = () => ({
    id: randomUUID(),
    type: 'ContactLogged',
    customerId: 'access-c-1',
    occurredAt: '2026-03-01T10:15:00Z',
    data: { channel: 'call', direction: 'outbound' },
  });
  const call = (method: string, path: string, authorization: string | null) =>
    fetch(`${ingest.base}${path}`, {
      method,
      headers: {
        ...(authorization !== null ? { authorization } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify({ events: [contact()] }) } : {}),
    });

  type Caller = Role | 'no token';
  const CALLERS: readonly Caller[] = [
    'account-manager',
    'lead',
    'analyst',
    'ingest',
    'admin',
    'monitoring',
    'no token',
  ];
  // What each caller gets on each route: the status, and the problem type of a refusal.
  const ok = (...allowed: Role[]) =>
    Object.fromEntries(
      CALLERS.map((caller) => [
        caller,
        caller === 'no token' ? 401 : allowed.includes(caller as Role) ? 200 : 403,
      ]),
    ) as Record<Caller, number>;
  const ROUTES: [method: string, path: string, expected: Record<Caller, number>][] = [
    ['POST', '/v1/events', ok('ingest', 'admin')],
    ['GET', '/v1/events', ok('analyst', 'admin')],
    ['GET', '/v1/events/count', ok('analyst', 'admin')],
    ['GET', '/v1/customers/access-c-1/events', ok('analyst', 'admin')],
    // The scraper's role reads /metrics and nothing else (the API's own description aside).
    ['GET', '/metrics', ok('admin', 'monitoring')],
    ['GET', '/openapi.json', ok('account-manager', 'lead', 'analyst', 'ingest', 'admin', 'monitoring')],
    [
      'GET',
      '/v1/nothing',
      { ...ok(), 'account-manager': 404, lead: 404, analyst: 404, ingest: 404, admin: 404, monitoring: 404 },
    ],
    ['GET', '/healthz', Object.fromEntries(CALLERS.map((c) => [c, 200])) as Record<Caller, number>],
    ['GET', '/readyz', Object.fromEntries(CALLERS.map((c) => [c, 200])) as Record<Caller, number>],
  ];
  const PROBLEM: Record<number, string> = {
    401: 'urn:crh:problem:unauthenticated',
    403: 'urn:crh:problem:forbidden',
    404: 'urn:crh:problem:not-found',
  };
  const cases = ROUTES.flatMap(([method, path, expected]) =>
    CALLERS.map((caller) => ({ method, path, caller, status: expected[caller] })),
  );

  it.each(cases)('$method $path as $caller: $status', async ({ method, path, caller, status }) => {
    const authorization = caller === 'no token' ? null : await ingest.auth.bearer(caller);
    const response = await call(method, path, authorization);
    expect(response.status).toBe(status);
    if (status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { type: string }).type).toBe(PROBLEM[status]);
      expect(response.headers.get('www-authenticate')).toBe(status === 401 ? 'Bearer realm="crh"' : null);
    } else {
      await response.arrayBuffer();
    }
  });

  it('lets a token with several roles do what any of them may', async () => {
    const both = await ingest.auth.bearer(['ingest', 'analyst']);
    expect((await call('POST', '/v1/events', both)).status).toBe(200);
    expect((await call('GET', '/v1/events/count', both)).status).toBe(200);
    expect((await call('GET', '/metrics', both)).status).toBe(403);
  });

  describe('forged and broken tokens', async () => {
    // Every service is tested against the one list in @crh/auth/testing/forged-tokens.
    const TOKENS: { name: string; authorization: string | null; reason: RegExp }[] = [
      { name: 'no Authorization header', authorization: null, reason: /^no bearer token/ },
      ...(await forgedTokens(auth)),
    ];

    it.each(
      TOKENS.flatMap((token) =>
        (['POST /v1/events', 'GET /v1/events', 'GET /metrics'] as const).map((route) => ({
          ...token,
          route,
        })),
      ),
    )('refuses $name on $route with 401 and WWW-Authenticate', async ({ authorization, reason, route }) => {
      const [method, path] = route.split(' ') as [string, string];
      const response = await call(method, path, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="crh"');
      const problem = (await response.json()) as { type: string; detail: string };
      expect(problem.type).toBe('urn:crh:problem:unauthenticated');
      // Refused for this token's own fault, not by a check that refuses everything.
      expect(problem.detail).toMatch(reason);
    });

    it('refuses a valid token in the query string, with or without a header, and never logs it', async () => {
      const token = await ingest.auth.token('admin');
      for (const authorization of [null, `Bearer ${token}`]) {
        const response = await call('GET', `/v1/events/count?access_token=${token}`, authorization);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="crh"');
        expect(((await response.json()) as { detail: string }).detail).toMatch(/query string/);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(logText).not.toContain(token.split('.')[2]);
    });
  });

  it('refuses before reading the body: an unauthenticated 8 MB POST is answered after its first bytes', async () => {
    const url = new URL(`${ingest.base}/v1/events`);
    for (const authorization of [undefined, await ingest.auth.bearer('analyst')]) {
      const answer = await new Promise<{ status: number; connection: string | undefined }>(
        (resolve, reject) => {
          const req = request(
            url,
            {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'content-length': String(8 * 1024 * 1024),
                ...(authorization ? { authorization } : {}),
              },
            },
            (res) => {
              res.resume();
              resolve({ status: res.statusCode!, connection: res.headers.connection });
              req.destroy();
            },
          );
          req.on('error', (error) => {
            if (!req.destroyed) reject(error);
          });
          // 64 kB of the 8 MB announced, and then nothing: parsing the body first would never answer.
          req.write(`{"events":[${' '.repeat(64 * 1024)}`);
          setTimeout(() => reject(new Error('no answer before the body was sent')), 5_000).unref();
        },
      );
      expect(answer.status).toBe(authorization ? 403 : 401);
      // The rest of the body is not waited for: the connection is closed after the answer.
      expect(answer.connection).toBe('close');
    }
  });

  it('logs every refusal with sub, route and reason, and never the token', async () => {
    const analyst = await ingest.auth.token('analyst', { sub: 'log-analyst' });
    const expired = await ingest.auth.token('admin', { sub: 'log-expired', ttl: '-5m' });
    expect((await call('POST', '/v1/events', `Bearer ${analyst}`)).status).toBe(403);
    expect((await call('GET', '/v1/customers/x/events', `Bearer ${expired}`)).status).toBe(401);
    expect((await call('GET', '/metrics', null)).status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    const refusals = logLines.filter((line) => line.msg === 'refused');
    expect(refusals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          sub: 'log-analyst',
          route: 'POST /v1/events',
          reason: expect.stringMatching(/events:append/),
          status: 403,
        }),
        expect.objectContaining({
          sub: null,
          route: 'GET /v1/customers/x/events',
          reason: 'token expired',
          status: 401,
        }),
        expect.objectContaining({
          sub: null,
          route: 'GET /metrics',
          reason: expect.stringMatching(/no bearer/),
        }),
      ]),
    );
    for (const token of [analyst, expired]) expect(logText).not.toContain(token.split('.')[2]);
    // The request log still shows that a token was sent.
    expect(logText).toContain('"authorization":"[redacted]"');
  });
});
