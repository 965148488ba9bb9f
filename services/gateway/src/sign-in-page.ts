import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/**
 * The gateway's `/` until the dashboard is served there: a sign-in link
 * (`/#access_token=<jwt>`, printed by `npm start`) lands here. The token is in
 * the fragment, which browsers never send to a server and which no log sees;
 * the page takes it out of the address bar at once (so it is not bookmarked,
 * shared or kept in history), keeps it for this tab (sessionStorage, where the
 * dashboard will read it) and hands it to GraphiQL, whose headers tab starts
 * from `graphiql:headers` in localStorage. The page holds no data, so it
 * needs no token itself.
 */

/** Where the page keeps the token for this tab (and the dashboard will read it). */
export const SESSION_TOKEN_KEY = 'crh:access_token';
/** GraphiQL's storage key for the contents of its headers tab (namespace `graphiql`). */
export const GRAPHIQL_HEADERS_KEY = 'graphiql:headers';

const SCRIPT = `(() => {
  const status = document.getElementById('status');
  const token = new URLSearchParams(location.hash.slice(1)).get('access_token');
  // First thing: the token leaves the address bar and the history entry.
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  if (!token) {
    status.textContent = sessionStorage.getItem(${JSON.stringify(SESSION_TOKEN_KEY)})
      ? 'Signed in in this tab.'
      : 'Not signed in: open the sign-in link that npm start printed, or http://<this host>/#access_token=<token>.';
    return;
  }
  sessionStorage.setItem(${JSON.stringify(SESSION_TOKEN_KEY)}, token);
  let headers = {};
  try {
    const stored = JSON.parse(localStorage.getItem(${JSON.stringify(GRAPHIQL_HEADERS_KEY)}) || '{}');
    if (stored && typeof stored === 'object' && !Array.isArray(stored)) headers = stored;
  } catch {}
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
  headers.Authorization = 'Bearer ' + token;
  localStorage.setItem(${JSON.stringify(GRAPHIQL_HEADERS_KEY)}, JSON.stringify(headers, null, 2));
  let who = '';
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    if (typeof claims.sub === 'string') who = ' as ' + claims.sub;
    if (typeof claims.exp === 'number') who += ', until ' + new Date(claims.exp * 1000).toLocaleString();
  } catch {}
  status.textContent = 'Signed in' + who + '. GraphiQL sends the token with every query.';
})();`;

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933}a{color:#0b5cad}';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only this page's own script and style run; it loads and sends nothing else, and no site may frame it. */
export const SIGN_IN_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  // The empty icon below: else the browser asks for /favicon.ico, which the policy refuses.
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crh — sign in</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<h1>crh — customer-relationship health</h1>
<p id="status">Signing in …</p>
<p><a id="graphiql" href="/graphql">Open GraphiQL</a> to query the platform.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** GET or HEAD `/`: the page, never cached, never sending a referrer. */
export function sendSignInPage(response: ServerResponse, head: boolean): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': SIGN_IN_CSP,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  response.end(head ? undefined : PAGE);
}
