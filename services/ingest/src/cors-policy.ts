import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for the origins in CRH_CORS_ORIGINS, none by default. A listed origin
 * is answered with itself in `Access-Control-Allow-Origin` (its preflight
 * with 204, before authentication: browsers send preflights without the
 * token); any other origin gets no CORS header at all, so its preflight
 * falls through to authentication and is refused like any request without
 * a token. `*` in the list allows every origin. Credentials are never
 * allowed: the API takes bearer tokens, not cookies, so a page must hold a
 * token to call it, and a wildcard with credentials cannot arise.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const listed = new Set(origins);
  const middleware = cors({
    origin: (origin, answer) => {
      if (origin === undefined) answer(null, false);
      else answer(null, any ? '*' : listed.has(origin) ? origin : false);
    },
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'content-encoding', 'x-request-id'],
    exposedHeaders: ['crh-up-to', 'retry-after', 'www-authenticate', 'x-request-id'],
    maxAge: 600,
  });
  return (req, res, next) => {
    // The answer differs by Origin for every request, listed or not: caches must keep them apart.
    if (!any) res.vary('Origin');
    middleware(req, res, next);
  };
}
