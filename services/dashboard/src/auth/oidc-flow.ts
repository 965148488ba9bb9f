import * as oauth from 'oauth4webapi';
import { CALLBACK_PATH, type OidcSettings } from './sign-in-settings.ts';

/**
 * OpenID Connect's authorization code flow with PKCE (S256) for a public
 * client, by oauth4webapi: discovery, the redirect to the provider, the
 * callback's checks (state, issuer) and code exchange, and renewal with the
 * refresh token. Loaded on demand (import()), so the page's first load
 * carries none of it.
 */

/** Tokens from the provider's token endpoint, as this tab keeps them (./oidc-tokens.ts). */
export interface OidcTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms, by this browser's clock: when the token endpoint answered. */
  receivedAt: number;
  /** Epoch ms: receivedAt plus the answer's expires_in (null when it gave none). */
  expiresAt: number | null;
}

/** What the redirect must find on its return: kept for this tab, for one use. */
const PENDING_KEY = 'crh:oidc_pending';
interface Pending {
  state: string;
  codeVerifier: string;
  returnTo: string;
  silent: boolean;
}

/** Answers of a silent re-authorisation that mean "the person has to sign in again". */
const NEEDS_THE_PERSON = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

/** The callback's failure, with where the person was and whether a sign-in button is the answer. */
export class SignInFailed extends Error {
  readonly returnTo: string;
  readonly signInAgain: boolean;
  constructor(message: string, returnTo: string, signInAgain: boolean) {
    super(message);
    this.returnTo = returnTo;
    this.signInAgain = signInAgain;
  }
}

/** Sends the browser to the provider; after sign-in it comes back to CALLBACK_PATH. */
export async function beginSignIn(
  settings: OidcSettings,
  returnTo: string,
  { silent = false }: { silent?: boolean } = {},
): Promise<void> {
  const as = await discover(settings);
  if (!as.authorization_endpoint) throw new Error(`${settings.issuer} names no authorization endpoint`);
  const pending: Pending = {
    state: oauth.generateRandomState(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    returnTo: samePagePath(returnTo),
    silent,
  };
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scope);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (silent) url.searchParams.set('prompt', 'none');
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/** On CALLBACK_PATH: checks the answer against what beginSignIn kept, and exchanges the code. */
export async function finishSignIn(
  settings: OidcSettings,
): Promise<{ tokens: OidcTokens; returnTo: string }> {
  const pending = takePending();
  if (!pending) {
    throw new SignInFailed('This sign-in was not started in this tab, or was finished already.', '/', true);
  }
  const as = await discover(settings);
  const client = { client_id: settings.clientId };
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new SignInFailed(
        error.error_description ?? error.error,
        pending.returnTo,
        pending.silent && NEEDS_THE_PERSON.has(error.error),
      );
    }
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    parameters,
    redirectUri(),
    pending.codeVerifier,
    requestOptions(settings),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  return { tokens: tokensFrom(result), returnTo: pending.returnTo };
}

/** A new access token for the refresh token; the old refresh token is kept unless a new one came. */
export async function renewTokens(settings: OidcSettings, refreshToken: string): Promise<OidcTokens> {
  const as = await discover(settings);
  const client = { client_id: settings.clientId };
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    oauth.None(),
    refreshToken,
    requestOptions(settings),
  );
  const tokens = tokensFrom(await oauth.processRefreshTokenResponse(as, client, response));
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}

/** The provider answered with an OAuth error (invalid_grant ...): asking again will not help. */
export const isRefusal = (error: unknown): boolean => error instanceof oauth.ResponseBodyError;

let discovered: Promise<oauth.AuthorizationServer> | undefined;

function discover(settings: OidcSettings): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(settings.issuer);
  discovered ??= oauth
    .discoveryRequest(issuer, requestOptions(settings))
    .then((response) => oauth.processDiscoveryResponse(issuer, response));
  discovered.catch(() => {
    discovered = undefined;
  });
  return discovered;
}

/** http is allowed only where the gateway allows it: a provider on loopback (CRH_OIDC_ISSUER). */
const requestOptions = (settings: OidcSettings) => ({
  [oauth.allowInsecureRequests]: new URL(settings.issuer).protocol === 'http:',
});

const redirectUri = () => `${location.origin}${CALLBACK_PATH}`;

function tokensFrom(result: oauth.TokenEndpointResponse): OidcTokens {
  const receivedAt = Date.now();
  return {
    accessToken: result.access_token,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    receivedAt,
    expiresAt: typeof result.expires_in === 'number' ? receivedAt + result.expires_in * 1000 : null,
  };
}

function takePending(): Pending | null {
  const text = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  try {
    return text ? (JSON.parse(text) as Pending) : null;
  } catch {
    return null;
  }
}

/** Back to a page of this site only, whatever was stored. */
function samePagePath(path: string): string {
  const url = new URL(path, location.origin);
  if (url.origin !== location.origin || url.pathname === CALLBACK_PATH) return '/';
  return url.pathname + url.search + url.hash;
}
