import type { ServerResponse } from 'node:http';
import { ConfigError, type Env } from '@crh/config';

/**
 * How the dashboard signs people in with the organisation's identity
 * provider (OpenID Connect, authorization code with PKCE): the page reads it
 * from SIGN_IN_SETTINGS_PATH before anyone is signed in, so it holds nothing
 * secret (a public client has no secret).
 */
export interface OidcSignIn {
  issuer: string;
  clientId: string;
  scope: string;
}

/** Answered without a token, like the page's files. */
export const SIGN_IN_SETTINGS_PATH = '/auth/settings.json';

/**
 * CRH_OIDC_* as the gateway uses them; undefined when unset (sign-in links
 * only). Half a setup stops the gateway at start rather than showing a
 * button that can only fail: the issuer without a client id, or without
 * CRH_AUTH_JWKS_URL (the gateway would refuse every token the provider issues).
 */
export function oidcSignInFrom(
  env: Pick<Env, 'CRH_OIDC_ISSUER' | 'CRH_OIDC_CLIENT_ID' | 'CRH_OIDC_SCOPE' | 'CRH_AUTH_JWKS_URL'>,
): OidcSignIn | undefined {
  const { CRH_OIDC_ISSUER: issuer, CRH_OIDC_CLIENT_ID: clientId } = env;
  if (!issuer && !clientId) return undefined;
  if (!issuer || !clientId) {
    throw new ConfigError(
      `invalid configuration:\n  ${issuer ? 'CRH_OIDC_CLIENT_ID' : 'CRH_OIDC_ISSUER'}: required with ${issuer ? 'CRH_OIDC_ISSUER' : 'CRH_OIDC_CLIENT_ID'} (the dashboard's sign-in with the identity provider)`,
    );
  }
  if (!env.CRH_AUTH_JWKS_URL) {
    throw new ConfigError(
      "invalid configuration:\n  CRH_AUTH_JWKS_URL: required with CRH_OIDC_ISSUER (the provider's key set, to verify the tokens it issues)",
    );
  }
  return { issuer, clientId, scope: env.CRH_OIDC_SCOPE };
}

/**
 * The origins the page calls besides its own: the provider's discovery
 * document and token endpoint, assumed at the issuer's origin (as with
 * Keycloak, Entra ID, Okta, Auth0). A provider whose token endpoint lives
 * elsewhere needs that origin added to the gateway's dashboardConnectSources.
 */
export const oidcConnectSources = (oidc: OidcSignIn | undefined): string[] =>
  oidc ? [new URL(oidc.issuer).origin] : [];

export function sendSignInSettings(response: ServerResponse, oidc: OidcSignIn | undefined): void {
  response
    .writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      // A changed setting is picked up at the next sign-in, not after a cache expires.
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .end(JSON.stringify({ oidc: oidc ?? null }));
}
