import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Plugin, shouldRenderGraphiQL } from 'graphql-yoga';

/**
 * GraphiQL as the platform builds it (services/graphiql, Vite): the page and
 * every script, style and font it uses come from the gateway itself, so it
 * works in a closed network, and its policy lets nothing else load or connect.
 */

/** Where the built page's assets are served; the same as the build's `base`. */
export const GRAPHIQL_ASSETS_PREFIX = '/graphiql/';

/** What the build (services/graphiql/vite.config.ts, html.cspNonce) writes where each response's nonce goes. */
export const NONCE_PLACEHOLDER = 'CRH_CSP_NONCE';

/**
 * Measured in Chromium with the built page (graphiql-page.int.test.ts):
 * - script-src 'self': the build writes no inline script (no modulepreload polyfill).
 * - style-src 'self' and this response's nonce: GraphiQL 4 (CodeMirror 5,
 *   React) styles through its stylesheet and element.style, which a policy
 *   does not govern; only Radix's dialogs write a <style> element while open
 *   (react-remove-scroll), and the page hands it the nonce. No 'unsafe-inline'.
 * - font-src data:: Roboto and Fira Code ship inside graphiql's stylesheet as
 *   data: URLs (nothing is fetched for them; no external fonts).
 * - img-src data:: the stylesheet's few icons are data: URLs too, and so is the page's empty favicon.
 * - connect-src 'self': HTTP and graphql-ws on this origin (CSP 3's 'self' covers ws: and wss:).
 * - No workers (CodeMirror 5, unlike GraphiQL 5's Monaco), so no worker-src.
 */
export function graphiqlCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface GraphiQLPage {
  /** 200 with the built page; 503 with a page saying how to build it. */
  status: 200 | 503;
  html: string;
}

/** The built page, read once: a rebuild (new asset hashes) needs a restart, as the assets' list does. */
export function loadGraphiQLPage(dir: string): GraphiQLPage {
  try {
    return { status: 200, html: readFileSync(join(dir, 'index.html'), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { status: 503, html: notBuiltPage(dir) };
  }
}

/**
 * GET /graphql from a browser (Yoga's own test: Accept text/html) answers the
 * page, before authentication (it holds no data; its queries carry the token).
 * Yoga's built-in GraphiQL stays off: it loads from a CDN.
 */
export function useGraphiQLPage(page: GraphiQLPage, graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || !shouldRenderGraphiQL(request)) return;
      // A nonce is only worth something unguessable and new on every response.
      const nonce = randomBytes(16).toString('base64');
      endResponse(
        new fetchAPI.Response(page.html.replaceAll(NONCE_PLACEHOLDER, nonce), {
          status: page.status,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': graphiqlCsp(nonce),
            // The page names the assets of one build: never kept past a rebuild.
            'cache-control': 'no-store',
            'referrer-policy': 'no-referrer',
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
  };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** Never a CDN fallback: the operator learns what to run. No script, no style: the policy allows none inline. */
function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>crh — GraphiQL is not built</title><link rel="icon" href="data:,"></head>
<body>
<h1>GraphiQL is not built</h1>
<p>The gateway serves GraphiQL from <code>${escapeHtml(dir)}</code> (<code>CRH_GRAPHIQL_DIR</code>), which has no <code>index.html</code>.</p>
<p>Build it with <code>npm run build -w @crh/graphiql</code> (<code>npm start</code> does so itself), then restart the gateway.</p>
</body>
</html>
`;
}
