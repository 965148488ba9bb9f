import { createRateLimit } from '@crh/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessGateway,
  capturingLogger,
  type Logged,
  openAccessGateway,
} from '../support/access-gateway.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const LISTED = 'https://crm.example.org';
const ALSO_LISTED = 'https://dashboard.example.org';
const FOREIGN = 'https://evil.example.com';

/** Fetches /graphql as a browser on `origin` would: a preflight, or the request itself. */
async function fromOrigin(
  gateway: AccessGateway,
  origin: string,
  authorization: string | null,
  preflight: boolean,
) {
  return fetch(gateway.gateway.url, {
    method: preflight ? 'OPTIONS' : 'POST',
    headers: preflight
      ? {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        }
      : { origin, 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    ...(preflight ? {} : { body: JSON.stringify({ query: '{ __typename }' }) }),
  });
}

describe('CORS: only the origins in CRH_CORS_ORIGINS', () => {
  // None (the default), one (Yoga alone would send it to everyone), several
  // (Yoga alone would answer a foreign origin with "null").
  const configurations = { none: [], one: [LISTED], several: [`${LISTED}/`, ALSO_LISTED] } as const;
  const gateways = new Map<keyof typeof configurations, AccessGateway>();
  let admin: string;

  beforeAll(async () => {
    for (const [name, origins] of Object.entries(configurations)) {
      gateways.set(
        name as keyof typeof configurations,
        await openAccessGateway({ now: NOW, corsOrigins: origins }),
      );
    }
    admin = await gateways.get('none')!.auth.bearer('admin');
  });
  afterAll(() => Promise.all([...gateways.values()].map((g) => g.close())));

  const tokenFor = (name: keyof typeof configurations) => gateways.get(name)!.auth.bearer('admin');

  it.each(Object.keys(configurations) as (keyof typeof configurations)[])(
    'answers a foreign origin (and the "null" origin) with no CORS headers at all, preflight or not (%s listed)',
    async (name) => {
      const gateway = gateways.get(name)!;
      for (const origin of [FOREIGN, 'null', `${LISTED}.evil.example.com`]) {
        for (const preflight of [true, false]) {
          const response = await fromOrigin(gateway, origin, await tokenFor(name), preflight);
          expect(response.status).toBe(preflight ? 204 : 200);
          expect(response.headers.get('access-control-allow-origin'), `${origin} ${preflight}`).toBeNull();
          expect(response.headers.get('access-control-allow-credentials')).toBeNull();
          expect(response.headers.get('access-control-allow-headers')).toBeNull();
        }
      }
    },
  );

  it.each([
    ['one', LISTED],
    ['several', LISTED],
    ['several', ALSO_LISTED],
  ] as const)(
    'answers a listed origin with itself, never with credentials (%s listed: %s)',
    async (name, origin) => {
      const gateway = gateways.get(name)!;
      const preflight = await fromOrigin(gateway, origin, null, true);
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')?.split(/,\s*/)).toEqual(
        expect.arrayContaining(['authorization', 'content-type']),
      );
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const request = await fromOrigin(gateway, origin, await tokenFor(name), false);
      expect(request.status).toBe(200);
      expect(request.headers.get('access-control-allow-origin')).toBe(origin);
      expect(request.headers.get('access-control-allow-credentials')).toBeNull();
      expect(request.headers.get('vary')).toMatch(/\bOrigin\b/i);
      // A listed origin still needs a token: CORS lets the browser read the answer, nothing more.
      const without = await fromOrigin(gateway, origin, null, false);
      expect(without.status).toBe(401);
      expect(without.headers.get('access-control-allow-origin')).toBe(origin);
    },
  );

  it('lists no origin by default: the dashboard is served from the gateway itself', async () => {
    const response = await fromOrigin(gateways.get('none')!, LISTED, admin, false);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit per token sub (CRH_RATE_LIMIT)', () => {
  let platform: AccessGateway;
  const logged: Logged[] = [];

  beforeAll(async () => {
    platform = await openAccessGateway({
      now: NOW,
      rateLimit: createRateLimit('3/min'),
      logger: capturingLogger(logged),
    });
  });
  afterAll(() => platform?.close());

  it('answers 429 with Retry-After and RATE_LIMITED over HTTP once a sub is over its limit, other subs unaffected', async () => {
    const alice = await platform.auth.bearer('lead', { sub: 'alice' });
    for (let i = 0; i < 3; i++) expect((await platform.post(alice, '{ __typename }')).status).toBe(200);
    const refused = await platform.post(alice, '{ __typename }');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(refused.body.data ?? null).toBeNull();
    // Another token of the same sub shares the count; another sub has its own.
    const aliceAgain = await platform.auth.bearer('analyst', { sub: 'alice' });
    expect((await platform.post(aliceAgain, '{ __typename }')).status).toBe(429);
    const sse = await platform.sse(alice, 'subscription { eventRecorded { id } }');
    expect(sse.refusal?.status).toBe(429);
    const bob = await platform.auth.bearer('lead', { sub: 'bob' });
    expect((await platform.post(bob, '{ __typename }')).status).toBe(200);

    const line = logged.find((l) => l.message === 'refused' && l.fields.sub === 'alice');
    expect(line?.fields).toMatchObject({
      sub: 'alice',
      route: 'POST /graphql',
      reason: 'rate limit 3/min reached',
    });
    expect(JSON.stringify(logged)).not.toContain(alice.slice('Bearer '.length));
  });

  it('counts each graphql-ws operation and answers the one over the limit with an error, the socket staying open', async () => {
    const carol = await platform.auth.bearer('lead', { sub: 'carol' });
    const probes = [];
    for (let i = 0; i < 4; i++) {
      probes.push(
        await platform.ws(carol, 'subscription ($i: ID) { eventRecorded(customerId: $i) { id } }', {
          i: `c-${i}`,
        }),
      );
    }
    try {
      await platform.subscriptions(3);
      const over = await probes[3]!.next();
      expect(over.errors?.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
      expect(over.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      for (const allowed of probes.slice(0, 3)) expect(allowed.results).toEqual([]);
      expect(platform.gateway.live.subscriptions()).toBe(3);
      expect(logged).toContainEqual(
        expect.objectContaining({
          fields: expect.objectContaining({ sub: 'carol', route: 'graphql-ws operation' }),
        }),
      );
    } finally {
      for (const probe of probes) probe.close();
    }
  });

  it('logs every FORBIDDEN with the sub, the operation, the field and the reason, never the token', async () => {
    const ingest = await platform.auth.bearer('ingest', { sub: 'crm-sync' });
    const answer = await platform.post(ingest, 'query Book { relationships { totalCount } }');
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(logged).toContainEqual({
      level: 'warn',
      message: 'refused',
      fields: {
        sub: 'crm-sync',
        operation: 'query Book',
        field: 'relationships',
        reason: answer.body.errors?.[0]?.message,
      },
    });
    const manager = await platform.auth.bearer('account-manager', { managerId: 'am-x' });
    const ws = await platform.ws(
      manager,
      'subscription Theirs { dailyKpisUpdated(accountManagerId: "am-y") { date } }',
    );
    try {
      expect((await ws.next()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(logged).toContainEqual(
        expect.objectContaining({
          fields: expect.objectContaining({
            sub: 'am-x',
            operation: 'subscription Theirs',
            field: 'dailyKpisUpdated',
          }),
        }),
      );
    } finally {
      ws.close();
    }
    expect(JSON.stringify(logged)).not.toContain(ingest.slice('Bearer '.length));
    expect(JSON.stringify(logged)).not.toContain(manager.slice('Bearer '.length));
  });
});
