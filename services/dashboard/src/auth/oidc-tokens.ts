import type { OidcTokens } from './oidc-flow.ts';
import { adoptToken, onSessionChange, type Session, session } from './session.ts';
import { CALLBACK_PATH, oidcSettings } from './sign-in-settings.ts';

/**
 * Tokens from the identity provider, kept fresh: renewed with the refresh
 * token before the access token runs out (at 80% of its lifetime, at most a
 * minute early), or, when the provider gave none, by a silent
 * re-authorisation (a redirect with prompt=none that comes straight back
 * while the person's session there lasts). Kept in sessionStorage like the
 * access token they came with, and only used while that token is the
 * session's: a sign-in link opened later is not replaced by them.
 * oauth4webapi (./oidc-flow.ts) loads only when a renewal or sign-in runs.
 */

const TOKENS_KEY = 'crh:oidc_tokens';
/** A renewal that failed for want of a network is tried again this often, while the token lasts. */
const RETRY_MS = 10_000;
/** Renewing earlier than this before the end is never needed; later risks requests refused. */
const MAX_EARLY_MS = 60_000;

export function adoptOidcTokens(tokens: OidcTokens): void {
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  adoptToken(tokens.accessToken);
}

/** When to renew: 80% into the token's lifetime, or a minute before its end if that comes first. */
export function renewalDelay(tokens: OidcTokens, expiresAt: number | null, now: number): number | null {
  const end = tokens.expiresAt ?? expiresAt;
  if (end === null) return null;
  const early = Math.min(MAX_EARLY_MS, (end - tokens.receivedAt) * 0.2);
  return Math.max(0, end - early - now);
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Called once at start: from then on every OpenID Connect session is renewed in time. */
export function keepTokensFresh(): void {
  onSessionChange(plan);
  plan(session());
}

function plan(current: Session): void {
  clearTimeout(timer);
  if (current.state === 'signed-out') {
    sessionStorage.removeItem(TOKENS_KEY);
    return;
  }
  // Back from the provider, the tokens being exchanged replace these: renewing them too would race.
  if (location.pathname === CALLBACK_PATH) return;
  const tokens = stored();
  if (!tokens || tokens.accessToken !== current.token) return;
  const delay = renewalDelay(tokens, current.expiresAt?.getTime() ?? null, Date.now());
  if (delay !== null && delay < 2 ** 31) timer = setTimeout(() => void renew(tokens), delay);
}

async function renew(tokens: OidcTokens): Promise<void> {
  let flow: typeof import('./oidc-flow.ts') | undefined;
  try {
    const settings = await oidcSettings();
    if (!settings) return;
    flow = await import('./oidc-flow.ts');
    if (!tokens.refreshToken) {
      await flow.beginSignIn(settings, location.pathname + location.search + location.hash, { silent: true });
      return;
    }
    const renewed = await flow.renewTokens(settings, tokens.refreshToken);
    if (stored()?.accessToken === tokens.accessToken) adoptOidcTokens(renewed);
  } catch (error) {
    console.warn('crh: renewing the sign-in failed', error);
    // The provider refused the refresh token (its session ended, or it was revoked): the
    // token runs out and the sign-in page says so. Anything else is tried again while it lasts.
    if (flow?.isRefusal(error)) return;
    const current = session();
    const left =
      current.state === 'signed-in' && current.expiresAt ? current.expiresAt.getTime() - Date.now() : 0;
    if (left > 2_000 && stored()?.accessToken === tokens.accessToken) {
      clearTimeout(timer);
      timer = setTimeout(() => void renew(tokens), Math.min(RETRY_MS, left / 2));
    }
  }
}

function stored(): OidcTokens | null {
  try {
    const tokens = JSON.parse(sessionStorage.getItem(TOKENS_KEY) ?? 'null') as OidcTokens | null;
    return tokens && typeof tokens.accessToken === 'string' ? tokens : null;
  } catch {
    return null;
  }
}
