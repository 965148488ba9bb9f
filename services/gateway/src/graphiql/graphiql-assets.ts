import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { GRAPHIQL_ASSETS_PREFIX } from './graphiql-page.ts';

/** A year: the longest lifetime caches honour. Asset names carry their content's hash. */
const IMMUTABLE_MAX_AGE_S = 365 * 24 * 60 * 60;

/**
 * The built GraphiQL's scripts, styles and chunks under /graphiql/assets/:
 * a handler that answers and returns true, or returns false for other paths.
 * The file list is read once, at start (as the page is).
 */
export function serveGraphiQLAssets(
  dir: string,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const assets = `${GRAPHIQL_ASSETS_PREFIX}assets/`;
  // Not built: the page says so (graphiql-page.ts), and every asset is a 404.
  const files = existsSync(dir)
    ? sirv(dir, {
        maxAge: IMMUTABLE_MAX_AGE_S,
        immutable: true,
        // The build writes a .gz beside each script and style: sent to whoever accepts gzip.
        gzip: true,
        setHeaders: (response) => response.setHeader('x-content-type-options', 'nosniff'),
      })
    : undefined;
  const notFound = (response: ServerResponse) =>
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  return (request, response) => {
    if (!request.url?.startsWith(assets)) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    // sirv looks paths up relative to dir: /graphiql/assets/x.js is dir/assets/x.js.
    request.url = request.url.slice(GRAPHIQL_ASSETS_PREFIX.length - 1);
    if (files) files(request, response, () => void notFound(response));
    else notFound(response);
    return true;
  };
}
