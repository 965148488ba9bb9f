import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChangeFeedSubscriber } from '@crh/messaging';
import { createApp, defaultRateLimit, type GatewayDeps } from './app.ts';
import { type ChangeHub, createChangeHub } from './live/change-hub.ts';
import { sendSignInPage } from './sign-in-page.ts';
import { serveWebSockets } from './websocket.ts';

export interface GatewayServer {
  /** http://host:port/graphql */
  url: string;
  live: ChangeHub;
  /** Stops the feed, closes WebSockets, SSE streams and the HTTP server (not the pool or store). */
  close(): Promise<void>;
}

/**
 * The gateway on a socket: GraphQL over HTTP and SSE, graphql-ws on the same
 * path, subscriptions fed by `feed`. main.ts runs it; tests run the same.
 */
export async function startGatewayServer(
  deps: Omit<GatewayDeps, 'live'> & { feed: ChangeFeedSubscriber; host: string; port: number },
): Promise<GatewayServer> {
  const live = createChangeHub({
    store: deps.store,
    db: deps.db,
    timeZone: deps.rules.timeZone,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
  });
  // Listening before the socket opens: a subscription never misses a change
  // committed after it was accepted (unless the feed starts degraded: then
  // it delivers what was published since this call once its broker is back).
  await deps.feed.start((values) => live.deliver(values));
  // One count per caller across HTTP, SSE and graphql-ws.
  const rateLimit = deps.rateLimit ?? defaultRateLimit();
  const yoga = createApp({ ...deps, live, rateLimit });
  // /healthz and /readyz answer without a token (probes carry none), and so
  // does the sign-in page at / (it holds no data); the rest is Yoga's.
  const server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      return void sendSignInPage(response, request.method === 'HEAD');
    }
    if (path === '/healthz') return void sendJson(response, 200, { status: 'ok' });
    if (path === '/readyz') {
      // The feed only carries live updates: without it queries are still
      // answered, so the gateway stays ready and says the feed is degraded.
      const feed = deps.feed.state?.();
      const details = feed ? { feed } : {};
      return void deps.db.query('SELECT 1').then(
        () => sendJson(response, 200, { ready: true, ...details }),
        () => sendJson(response, 503, { ready: false, ...details }),
      );
    }
    return void yoga(request, response);
  });
  const closeWebSockets = serveWebSockets(server, yoga, {
    verifier: deps.auth,
    logger: deps.logger,
    rateLimit,
  });
  await new Promise<void>((resolve) => server.listen(deps.port, deps.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${deps.host === '0.0.0.0' ? 'localhost' : deps.host}:${port}${yoga.graphqlEndpoint}`,
    live,
    async close() {
      await deps.feed.close();
      await closeWebSockets();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Subscriptions are long-lived: SSE responses end when their sockets do.
        server.closeAllConnections();
      });
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
