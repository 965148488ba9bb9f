/**
 * The signed-in session of this tab. A sign-in link carries the token in the
 * URL fragment (`/#access_token=<jwt>`), which browsers never send to a
 * server and no log sees; it leaves the address bar at once (so it is not
 * bookmarked, shared or kept in history) and is kept in sessionStorage: this
 * tab only, gone when it closes. GraphiQL, on the same origin, gets it in its
 * headers tab (`graphiql:headers` in localStorage).
 */

/** Where the token is kept for this tab. */
export const SESSION_TOKEN_KEY = 'crh:access_token';
/** GraphiQL's storage key for the contents of its headers tab. */
export const GRAPHIQL_HEADERS_KEY = 'graphiql:headers';

export type Session =
  | { state: 'signed-in'; token: string; expiresAt: Date | null }
  | { state: 'signed-out'; reason: 'none' | 'expired' | 'refused'; expiredAt?: Date };

type Listener = (session: Session) => void;
const listeners = new Set<Listener>();
let current: Session = { state: 'signed-out', reason: 'none' };

/** Called once at start: a token in the fragment wins over the stored one. */
export function startSession(): Session {
  const fromUrl = new URLSearchParams(location.hash.slice(1)).get('access_token');
  if (location.hash.includes('access_token')) {
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  if (fromUrl) {
    sessionStorage.setItem(SESSION_TOKEN_KEY, fromUrl);
    shareWithGraphiQL(fromUrl);
  }
  const token = fromUrl ?? sessionStorage.getItem(SESSION_TOKEN_KEY);
  set(token ? signedIn(token) : { state: 'signed-out', reason: 'none' });
  return current;
}

export const session = (): Session => current;

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A token from the identity provider (OpenID Connect), or renewed. */
export function adoptToken(token: string): void {
  sessionStorage.setItem(SESSION_TOKEN_KEY, token);
  shareWithGraphiQL(token);
  set(signedIn(token));
}

/** The gateway refused the token (401), or it ran out: back to the sign-in page. */
export function endSession(reason: 'expired' | 'refused' | 'none'): void {
  const expiredAt = current.state === 'signed-in' ? (current.expiresAt ?? undefined) : undefined;
  sessionStorage.removeItem(SESSION_TOKEN_KEY);
  set({ state: 'signed-out', reason, ...(expiredAt ? { expiredAt } : {}) });
}

function signedIn(token: string): Session {
  const expiresAt = expiryOf(token);
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    sessionStorage.removeItem(SESSION_TOKEN_KEY);
    return { state: 'signed-out', reason: 'expired', expiredAt: expiresAt };
  }
  return { state: 'signed-in', token, expiresAt };
}

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

function set(next: Session): void {
  current = next;
  clearTimeout(expiryTimer);
  // The page turns into the sign-in page when the token runs out, not at the next failed request.
  if (next.state === 'signed-in' && next.expiresAt) {
    const left = next.expiresAt.getTime() - Date.now();
    if (left < 2 ** 31) expiryTimer = setTimeout(() => endSession('expired'), left);
  }
  for (const listener of listeners) listener(next);
}

/**
 * The `exp` claim, read without verifying: only to know when to ask for a
 * new sign-in. The gateway verifies every request; nothing is trusted from this.
 */
function expiryOf(token: string): Date | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null;
  } catch {
    return null;
  }
}

function shareWithGraphiQL(token: string): void {
  let headers: Record<string, unknown> = {};
  try {
    const stored = JSON.parse(localStorage.getItem(GRAPHIQL_HEADERS_KEY) ?? '{}') as unknown;
    if (stored && typeof stored === 'object' && !Array.isArray(stored))
      headers = stored as Record<string, unknown>;
  } catch {
    // A headers tab that is not JSON is replaced.
  }
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
  headers.Authorization = `Bearer ${token}`;
  localStorage.setItem(GRAPHIQL_HEADERS_KEY, JSON.stringify(headers, null, 2));
}
