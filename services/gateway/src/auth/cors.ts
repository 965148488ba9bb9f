import type { Plugin, YogaServerOptions } from 'graphql-yoga';

type CorsOption = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

/**
 * Yoga's `cors` option for the origins in CRH_CORS_ORIGINS (none by default:
 * the dashboard is served from the gateway's own origin).
 *
 * Yoga's own handling of a list is not enough: with no list it answers every
 * origin with itself and `Access-Control-Allow-Credentials: true`; with one
 * listed origin it sends that origin to every caller; with several it
 * answers a foreign one with `Access-Control-Allow-Origin: null`, which a
 * sandboxed page (whose origin is "null") matches. So the answer is decided
 * per request: a listed origin gets exactly itself, anything else no CORS
 * headers at all (a preflight still ends with 204, without them, and the
 * browser stops there). Credentials are never allowed: callers send a bearer
 * token, not cookies, and there is no wildcard to pair them with.
 */
export function corsFor(origins: readonly string[]): CorsOption {
  const allowed = new Set(origins.map(originOf).filter((o): o is string => o !== null));
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin,
      credentials: false,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'accept'],
      maxAge: 600,
    };
  };
}

/** `https://crm.example.org/` and `https://crm.example.org` are the same origin; `*` is not one. */
function originOf(entry: string): string | null {
  try {
    const origin = new URL(entry).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The answer depends on the Origin header: caches must keep one per origin,
 * or a listed origin's answer could be served to another page (and the
 * other way round).
 */
export const useVaryOnOrigin = (): Plugin => ({
  onResponse({ response }) {
    const vary = response.headers.get('vary');
    if (vary === null) response.headers.set('vary', 'Origin');
    else if (!/\borigin\b/i.test(vary)) response.headers.set('vary', `${vary}, Origin`);
  },
});
