import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { loadConfig } from '@crh/config';
import { type LiveGateway, oidcSignInFrom, openLiveGateway } from '@crh/gateway/testing/live';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crhResourceIndicators } from '../support/oidc-resource.ts';

// A person signs in to the dashboard with the organisation's identity
// provider, for real: oidc-provider in this process (its development login
// and consent pages take any name), the dashboard's public client with PKCE,
// a gateway that verifies the provider's JWT access tokens by its key set,
// and Debian's Chromium clicking through. Access tokens live 10 s and the
// gateway allows no clock leeway, so a session that was not renewed would
// be refused within the test.

const CLIENT_ID = 'crh-dashboard';
const ACCESS_TOKEN_TTL_S = 10;
const DEEP_LINK = '/relationships/cust-42?tab=timeline';
const DASHBOARD_BUILT = new URL('../../services/dashboard/dist/index.html', import.meta.url);

type SigningKey = JWK & { kid: string; alg: 'ES256' };

async function signingKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: (await calculateJwkThumbprint(jwk)).slice(0, 12), alg: 'ES256', use: 'sig' };
}

/** The provider with the dashboard as a public client: PKCE, no secret, refresh tokens (rotated) or none. */
function identityProvider(
  issuer: string,
  key: SigningKey,
  redirectUri: string,
  { refreshTokens }: { refreshTokens: boolean },
): Provider {
  return new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
      },
    ],
    jwks: { keys: [key] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    // As Keycloak does by default: a refresh token without offline_access (or, for the other way, none).
    issueRefreshToken: async (_ctx, client) => refreshTokens && client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: crhResourceIndicators({ alg: 'ES256', kid: key.kid }, ACCESS_TOKEN_TTL_S),
    },
    // The person's roles as the provider maps them; their login name is their sub (and manager id).
    extraTokenClaims: () => ({ realm_access: { roles: ['account-manager'] } }),
  });
}

const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number };

describe('signing in to the dashboard with an identity provider', () => {
  let idp: Server;
  let issuer: string;
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_q, r) => r.end();
  let live: LiveGateway;
  let origin: string;
  let browser: Browser;
  let key: SigningKey;
  /** The provider as it is now (a fresh one forgets every session and grant). */
  const configure = (refreshTokens: boolean) => {
    handler = identityProvider(issuer, key, `${origin}/auth/callback`, { refreshTokens }).callback();
  };

  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILT))
      throw new Error('the dashboard is not built: npm run build -w @crh/dashboard');
    idp = createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    // As an operator configures the gateway: CRH_AUTH_* for verifying, CRH_OIDC_* for signing in.
    const env = loadConfig({
      CRH_AUTH_JWKS_URL: `${issuer}/jwks`,
      CRH_AUTH_ISSUER: issuer,
      CRH_AUTH_AUDIENCE: 'crh',
      CRH_AUTH_ROLES_CLAIM: 'realm_access.roles',
      CRH_AUTH_CLOCK_TOLERANCE_S: '0',
      CRH_OIDC_ISSUER: issuer,
      CRH_OIDC_CLIENT_ID: CLIENT_ID,
    }).env;
    live = await openLiveGateway({
      verifier: await createTokenVerifier(authSettingsFrom(env)),
      oidc: oidcSignInFrom(env)!,
    });
    origin = new URL(live.gateway.url).origin;
    key = await signingKey();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await live?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  const graphql = (token: string) =>
    fetch(live.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { subject } }' }),
    });

  /** The app's own next query (urql sends them as GET /graphql?query=…), answered. */
  const nextQuery = (page: Page) => page.waitForResponse((r) => r.url().startsWith(`${live.gateway.url}?`));

  const storedToken = (page: Page) => page.evaluate(() => sessionStorage.getItem('crh:access_token'));

  async function renewedFrom(page: Page, token: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      // null while the page navigates (a silent re-authorisation goes through the provider).
      const now = await storedToken(page).catch(() => null);
      if (now && now !== token) return now;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the token was not renewed within 20 s');
  }

  /** A browser tab signed out on a deep link, signed in there as `login` by the provider's pages. */
  async function signIn(login: string) {
    const context = await browser.newContext();
    // Nothing leaves this machine (the provider's development pages name a web font).
    await context.route(
      (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
      (route) => route.abort(),
    );
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // Signed out, on a deep link: the sign-in page offers the organisation's sign-in.
    await page.goto(`${origin}${DEEP_LINK}`);
    expect(await page.locator('.sign-in-why').textContent()).toBe('You are not signed in.');
    const authorizationRequest = page.waitForRequest((r) => r.url().startsWith(`${issuer}/auth?`));
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();
    // With PKCE (S256) and a state of its own.
    const authorize = new URL((await authorizationRequest).url());
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);

    // At the provider: its login page (any name), then consent.
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.getByRole('button', { name: 'Continue' }).click();

    // Back on the page asked for, signed in as the provider's subject; the app's query answered.
    const firstQuery = nextQuery(page);
    await page.waitForURL(`${origin}${DEEP_LINK}`);
    expect((await firstQuery).status()).toBe(200);
    expect(await page.locator('.banner .who').textContent()).toContain(login);
    const token = (await storedToken(page))!;
    expect(claims(token).sub).toBe(login);
    expect((await graphql(token)).status).toBe(200);
    // Nothing of the exchange stays in the address bar.
    expect(page.url()).not.toMatch(/code=|state=/);
    return { context, page, cspViolations, token };
  }

  it('signs in by the code flow with PKCE, lands on the page asked for, and renews the token before it runs out', async () => {
    configure(true);
    // The dashboard lets the page call the provider, and only it.
    const root = await fetch(`${origin}/`);
    expect(root.headers.get('content-security-policy')).toContain(`connect-src 'self' ${issuer};`);
    expect(await (await fetch(`${origin}/auth/settings.json`)).json()).toEqual({
      oidc: { issuer, clientId: CLIENT_ID, scope: 'openid profile' },
    });

    const { context, page, cspViolations, token: first } = await signIn('am-1');
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('crh:oidc_tokens')!));
    expect(stored.refreshToken).toEqual(expect.any(String));

    // Renewed before it runs out (at 80% of its 10 s), with the refresh token.
    const second = await renewedFrom(page, first);
    expect(Date.now()).toBeLessThan(claims(first).exp * 1000);
    expect(claims(second).sub).toBe('am-1');
    expect(claims(second).exp).toBeGreaterThan(claims(first).exp);

    // Once the first token has run out the gateway refuses it, yet the page goes on.
    await new Promise((resolve) => setTimeout(resolve, claims(first).exp * 1000 - Date.now() + 1_000));
    expect((await graphql(first)).status).toBe(401);
    const afterExpiry = nextQuery(page);
    await page.reload();
    const answered = await afterExpiry;
    expect(answered.status()).toBe(200);
    expect(await answered.request().headerValue('authorization')).toBe(`Bearer ${await storedToken(page)}`);
    expect(await page.locator('.banner .who').textContent()).toContain('am-1');
    expect(await page.locator('.sign-in').count()).toBe(0);

    // And again after the reload, with the refresh token the provider rotated at the first renewal.
    const rotated = await page.evaluate(() => JSON.parse(sessionStorage.getItem('crh:oidc_tokens')!));
    expect(rotated.refreshToken).not.toBe(stored.refreshToken);
    const third = await renewedFrom(page, second);
    expect((await graphql(third)).status).toBe(200);
    expect(await page.locator('.sign-in').count()).toBe(0);

    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('renews by a silent re-authorisation (prompt=none) when the provider gives no refresh token', async () => {
    configure(false);
    const { context, page, cspViolations, token: first } = await signIn('am-2');
    expect(
      await page.evaluate(() => JSON.parse(sessionStorage.getItem('crh:oidc_tokens')!)),
    ).not.toHaveProperty('refreshToken');

    // Before it runs out the page goes to the provider and, its session there alive, straight back.
    const silent = page.waitForRequest((r) => r.url().startsWith(`${issuer}/auth?`));
    const second = await renewedFrom(page, first);
    expect(new URL((await silent).url()).searchParams.get('prompt')).toBe('none');
    expect(claims(second).sub).toBe('am-2');
    expect(claims(second).exp).toBeGreaterThan(claims(first).exp);
    await page.waitForURL(`${origin}${DEEP_LINK}`);
    // Once: the page back from the provider does not renew the token it is replacing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(page.url()).toBe(`${origin}${DEEP_LINK}`);
    expect(await page.locator('.banner .who').textContent()).toContain('am-2');
    expect(await page.locator('.sign-in').count()).toBe(0);
    expect((await graphql(second)).status).toBe(200);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
