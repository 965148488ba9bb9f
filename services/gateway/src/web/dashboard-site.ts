import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/**
 * The dashboard (services/dashboard, built by Vite) at the gateway's root:
 * same origin as /graphql, so no CORS and a policy of 'self' everywhere.
 * Hashed files under /assets/ are cached for good; index.html, which names
 * them, never, so a new build is picked up at the next load. Any other path
 * without a file is the page's own route (/relationships/…, /team) and gets
 * index.html.
 */

/**
 * Where `npm run build -w @crh/dashboard` puts it in this checkout (the
 * gateway image copies it to the same place): a path, not an import, since
 * a service imports no other service.
 */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/** Only the page's own files run, connect and style; nothing frames it. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // 'self' covers the same-origin WebSocket (ws:/wss:) of the subscriptions.
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
};

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Serves `dir`; `connectSources` are the origins the page may call besides
 * its own (the identity provider's, for OpenID Connect).
 */
export function dashboardSite(dir: string, connectSources: readonly string[] = []): DashboardHandler {
  const csp = connectSources.length
    ? DASHBOARD_CSP.replace("connect-src 'self'", `connect-src 'self' ${connectSources.join(' ')}`)
    : DASHBOARD_CSP;
  if (!existsSync(join(dir, 'index.html'))) return notBuilt(dir, csp);
  const files = sirv(dir, {
    single: true,
    dev: false,
    etag: true,
    gzip: false,
    brotli: false,
    setHeaders(response, pathname) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      response.setHeader('content-security-policy', csp);
      response.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
      );
    },
  });
  return (request, response) =>
    files(request, response, () => {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    });
}

/** A gateway started before the dashboard was built says so and how, instead of a blank page. */
function notBuilt(dir: string, csp: string): DashboardHandler {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>crh — dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1><p>The gateway looked for it in <code>${escapeHtml(dir)}</code>.
Run <code>npm run build -w @crh/dashboard</code> (npm start does it for you), or set CRH_DASHBOARD_DIR.
GraphQL is at <a href="/graphql">/graphql</a>.</p></main></body></html>`;
  return (_request, response) => {
    response.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      ...SECURITY_HEADERS,
    });
    response.end(page);
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
