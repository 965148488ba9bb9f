import { openTestAuth } from '@crh/auth/testing';
import { forgedTokens } from '@crh/auth/testing/forged-tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessGateway,
  capturingLogger,
  type GraphQLAnswer,
  type Logged,
  openAccessGateway,
  openSse,
  openWs,
} from '../support/access-gateway.ts';

// Every forged or broken Authorization header (the one list in
// @crh/auth/testing/forged-tokens, also run against the verifier and the
// ingest) against a real gateway socket, on each way a client reaches
// /graphql: POST, GET, SSE and graphql-ws. Each token is an admin's with one
// thing wrong, so a refusal that did not happen would answer with data.

const NOW = new Date('2026-06-01T12:00:00Z');
const QUERY = '{ relationships { totalCount } }';
const SUBSCRIPTION = 'subscription { eventRecorded { id } }';

// The key is made before the gateway opens: the cases are named at collection time.
const auth = await openTestAuth();
const FORGED = await forgedTokens(auth);

describe('forged and broken tokens at the gateway', () => {
  let platform: AccessGateway;
  const logged: Logged[] = [];

  beforeAll(async () => {
    platform = await openAccessGateway({ now: NOW, auth, logger: capturingLogger(logged) });
  });
  afterAll(() => platform?.close());

  const get = (authorization: string | null, search: Record<string, string>) =>
    fetch(`${platform.gateway.url}?${new URLSearchParams(search)}`, {
      headers: { accept: 'application/json', ...(authorization === null ? {} : { authorization }) },
    });
  /** The reason the gateway gave, without the message's fixed prefix. */
  const reasonOf = (body: GraphQLAnswer | undefined) =>
    body?.errors?.[0]?.message.replace(/^authentication required: /, '');
  const expectUnauthenticated = (status: number | undefined, headers: Headers, body: GraphQLAnswer) => {
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(body.data ?? null).toBeNull();
  };

  it('answers the same requests with a valid admin token on every transport (so each refusal is the token)', async () => {
    const admin = await auth.bearer('admin');
    const posted = await platform.post(admin, QUERY);
    expect(posted.status).toBe(200);
    expect(posted.body.data?.relationships).toEqual({ totalCount: 0 });
    const got = await get(admin, { query: QUERY });
    expect(got.status).toBe(200);
    expect(((await got.json()) as GraphQLAnswer).data?.relationships).toEqual({ totalCount: 0 });
    for (const transport of ['sse', 'ws'] as const) {
      const probe = await platform[transport](admin, SUBSCRIPTION);
      expect(probe.refusal, transport).toBeNull();
      probe.close();
    }
  });

  describe.each(FORGED)('$name', ({ authorization, reason }) => {
    it('POST /graphql: 401, WWW-Authenticate: Bearer, UNAUTHENTICATED', async () => {
      const answer = await platform.post(authorization, QUERY);
      expectUnauthenticated(answer.status, answer.headers, answer.body);
      expect(reasonOf(answer.body)).toMatch(reason);
    });

    it('GET /graphql?query=: 401', async () => {
      const response = await get(authorization, { query: QUERY });
      const body = (await response.json()) as GraphQLAnswer;
      expectUnauthenticated(response.status, response.headers, body);
      expect(reasonOf(body)).toMatch(reason);
    });

    it('SSE (accept: text/event-stream): 401', async () => {
      const probe = await platform.sse(authorization, SUBSCRIPTION);
      probe.close();
      expect(probe.refusal?.status).toBe(401);
      expect(probe.refusal?.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(reasonOf(probe.refusal?.body)).toMatch(reason);
    });

    it('graphql-ws connection_init: the socket closes with 4401', async () => {
      const before = logged.length;
      const probe = await platform.ws(authorization, SUBSCRIPTION);
      probe.close();
      expect(probe.refusal?.closeCode).toBe(4401);
      // The close frame says only "Unauthorized"; the log says why.
      const refusal = logged
        .slice(before)
        .find((line) => line.message === 'refused' && line.fields.route === 'graphql-ws connection_init');
      expect(refusal?.fields.reason).toMatch(reason);
    });
  });

  describe('a valid token in the query string', () => {
    it('is refused with 401 on GET and POST, with or without a valid header', async () => {
      const token = await auth.token('admin');
      for (const header of [null, `Bearer ${token}`]) {
        const got = await get(header, { query: QUERY, access_token: token });
        const body = (await got.json()) as GraphQLAnswer;
        expectUnauthenticated(got.status, got.headers, body);
        expect(reasonOf(body)).toMatch(/query string/);

        const posted = await fetch(`${platform.gateway.url}?access_token=${token}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(header === null ? {} : { authorization: header }),
          },
          body: JSON.stringify({ query: QUERY }),
        });
        const postedBody = (await posted.json()) as GraphQLAnswer;
        expectUnauthenticated(posted.status, posted.headers, postedBody);
        expect(reasonOf(postedBody)).toMatch(/query string/);
      }
    });

    it('is refused over SSE', async () => {
      const token = await auth.token('admin');
      for (const header of [null, `Bearer ${token}`]) {
        const probe = await openSse(
          `${platform.gateway.url}?access_token=${token}`,
          header,
          SUBSCRIPTION,
          {},
        );
        probe.close();
        expect(probe.refusal?.status).toBe(401);
        expect(probe.refusal?.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    });

    it('is never read under any name: with no header the request has no token', async () => {
      const token = await auth.token('admin');
      for (const name of ['authorization', 'token', 'jwt', 'bearer', 'id_token']) {
        for (const value of [token, `Bearer ${token}`]) {
          const response = await get(null, { query: QUERY, [name]: value });
          const body = (await response.json()) as GraphQLAnswer;
          expectUnauthenticated(response.status, response.headers, body);
          expect(reasonOf(body), name).toMatch(/^no bearer token/);
        }
      }
    });

    it('does not open a graphql-ws socket without a token in connection_init', async () => {
      const token = await auth.token('admin');
      const url = `${platform.gateway.url}?${new URLSearchParams({ access_token: token, authorization: `Bearer ${token}` })}`;
      const probe = await openWs(url, null, SUBSCRIPTION, {});
      probe.close();
      expect(probe.refusal?.closeCode).toBe(4401);
    });

    it('closes a graphql-ws socket whose URL carries access_token even with a valid connection_init', async () => {
      const token = await auth.token('admin');
      const url = `${platform.gateway.url}?${new URLSearchParams({ access_token: token })}`;
      const probe = await openWs(url, `Bearer ${token}`, SUBSCRIPTION, {});
      probe.close();
      expect(probe.refusal?.closeCode).toBe(4401);
    });
  });
});
