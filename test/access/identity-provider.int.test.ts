import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, authSettingsFrom, createTokenVerifier, type TokenVerifier } from '@crh/auth';
import { loadConfig } from '@crh/config';
import { type LiveGateway, openLiveGateway } from '@crh/gateway/testing/live';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRH_RESOURCE, crhResourceIndicators } from '../support/oidc-resource.ts';

// The organisation's identity provider, for real: oidc-provider (a certified
// OpenID Provider) in this process, issuing JWT access tokens to systems by
// the client credentials grant, for the resource `urn:crh` with the audience
// `crh`, roles in a Keycloak-style `realm_access.roles` claim. The platform is
// pointed at it the way an operator would, by CRH_AUTH_* variables, and a real
// gateway verifies its tokens over HTTP.

const RESOURCE = CRH_RESOURCE;
/** The IdP's own mapping of clients (systems) to crh roles. */
const CLIENTS = {
  'crm-sync': { secret: 'crm-sync-secret', roles: ['ingest'] },
  'bi-export': { secret: 'bi-export-secret', roles: ['analyst'] },
} as const;
type ClientId = keyof typeof CLIENTS;

type SigningKey = JWK & { kid: string; alg: 'ES256' | 'RS256' };

async function signingKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${alg}-${(await calculateJwkThumbprint(jwk)).slice(0, 12)}`, alg, use: 'sig' };
}

/** The provider publishing `published` (its JWKS) and signing access tokens with `signing`. */
function identityProvider(issuer: string, published: SigningKey[], signing: SigningKey): Provider {
  const provider = new Provider(issuer, {
    clients: Object.entries(CLIENTS).map(([id, client]) => ({
      client_id: id,
      client_secret: client.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    jwks: { keys: published },
    // Clients default to RS256 ID tokens; these have none, and the first key set has no RSA key.
    clientDefaults: { id_token_signed_response_alg: signing.alg },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: crhResourceIndicators({ alg: signing.alg, kid: signing.kid }, 300),
    },
    extraTokenClaims: (_ctx, token) => ({
      realm_access: { roles: [...(CLIENTS[token.clientId as ClientId]?.roles ?? [])] },
    }),
  });
  return provider;
}

describe('tokens from a real identity provider (oidc-provider), its key rotated while the platform runs', () => {
  let idp: Server;
  let issuer: string;
  let handler: (request: IncomingMessage, response: ServerResponse) => void;
  let verifier: TokenVerifier;
  let live: LiveGateway;
  let first: SigningKey;
  let second: SigningKey;

  /** The IdP as it is now: what it publishes, what it signs with. */
  const configure = (published: SigningKey[], signing: SigningKey) => {
    handler = identityProvider(issuer, published, signing).callback();
  };

  /** An access token for a system, by the client credentials grant. */
  async function tokenFor(client: ClientId): Promise<string> {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client}:${CLIENTS[client].secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'crh' }),
    });
    const body = (await response.json()) as { access_token?: string; token_type?: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.access_token!;
  }

  const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
  const refusal = (token: string) =>
    verifier.verify(`Bearer ${token}`).then(
      () => null,
      (error: unknown) => (error instanceof AuthError ? error : Promise.reject(error)),
    );
  const graphql = (token: string) =>
    fetch(live.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ relationships(first: 1) { totalCount } }' }),
    });

  beforeAll(async () => {
    idp = createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    [first, second] = [await signingKey('ES256'), await signingKey('RS256')];
    configure([first], first);

    // As an operator configures it: the key set from the provider's discovery document.
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    const settings = authSettingsFrom(
      loadConfig({
        CRH_AUTH_JWKS_URL: discovery.jwks_uri,
        CRH_AUTH_ISSUER: discovery.issuer,
        CRH_AUTH_AUDIENCE: 'crh',
        CRH_AUTH_ROLES_CLAIM: 'realm_access.roles',
        // Short, so the test sees both: an unknown kid refetches the set after 200 ms,
        // and a fetched set is kept 1.5 s (10 minutes by default).
        CRH_AUTH_JWKS_COOLDOWN_MS: '200',
        CRH_AUTH_JWKS_CACHE_MS: '1500',
      }).env,
    );
    verifier = await createTokenVerifier(settings);
    live = await openLiveGateway({ timeZone: 'Europe/Amsterdam', verifier });
  });

  afterAll(async () => {
    await live?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it('accepts its tokens with the roles it put in realm_access.roles, then follows a key rotation without a restart', async () => {
    // 1. Issued with the first key (ES256): accepted, the system's roles read from the dotted claim.
    const sync = await tokenFor('crm-sync');
    expect(header(sync)).toMatchObject({ alg: 'ES256', kid: first.kid, typ: 'at+jwt' });
    expect(await verifier.verify(`Bearer ${sync}`)).toEqual({
      sub: 'crm-sync',
      roles: new Set(['ingest']),
      managerId: 'crm-sync',
    });
    const export1 = await tokenFor('bi-export');
    expect([...(await verifier.verify(`Bearer ${export1}`)).roles]).toEqual(['analyst']);
    const answer = await graphql(export1);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { relationships: { totalCount: 0 } } });

    // 2. The IdP rotates: it signs with a new key (RS256, a new kid) and still publishes the old one.
    configure([second, first], second);
    await new Promise((resolve) => setTimeout(resolve, 250)); // past the cooldown of the first fetch
    const export2 = await tokenFor('bi-export');
    expect(header(export2)).toMatchObject({ alg: 'RS256', kid: second.kid });
    // The unknown kid makes the verifier fetch the set again: accepted, same verifier, same gateway.
    expect((await graphql(export2)).status).toBe(200);
    expect([...(await verifier.verify(`Bearer ${export2}`)).roles]).toEqual(['analyst']);
    expect((await verifier.verify(`Bearer ${sync}`)).sub).toBe('crm-sync'); // old key still published

    // 3. The IdP retires the old key. Its tokens still pass while the fetched set is cached
    //    (CRH_AUTH_JWKS_CACHE_MS): the set is refetched only when it is older than that, or
    //    for a kid it does not hold, and this kid it holds.
    configure([second], second);
    expect((await graphql(sync)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    // Once the cache has expired, the next request fetches the set without the old key: refused.
    const refused = await graphql(sync);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await refusal(sync))?.reason).toBe('token signed with an unknown key');
    expect((await graphql(export2)).status).toBe(200);

    // A key the IdP never published, with a kid of its own: refused, whatever it claims.
    const forger = await signingKey('ES256');
    configure([forger], forger);
    const forged = await tokenFor('bi-export');
    configure([second], second);
    expect((await refusal(forged))?.status).toBe(401);
  });
});
