import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsAccess } from '@crh/auth';
import type { ChangeFeedSubscriber } from '@crh/messaging';
import { createMetricsRegistry, Gauge, type Registry, sendMetrics } from '@crh/observability';
import { createApp, defaultGraphiQLDir, defaultRateLimit, type GatewayDeps } from './app.ts';
import { serveGraphiQLAssets } from './graphiql/graphiql-assets.ts';
import { DEVELOPMENT_EXPOSURE } from './limits/graphql-limits.ts';
import { type ChangeHub, createChangeHub } from './live/change-hub.ts';
import { inPushSpan } from './live/push-span.ts';
import type { SubscriberLimits } from './live/subscriber-queue.ts';
import { DEFAULT_DASHBOARD_DIR, dashboardSite } from './web/dashboard-site.ts';
import {
  type OidcSignIn,
  oidcConnectSources,
  SIGN_IN_SETTINGS_PATH,
  sendSignInSettings,
} from './web/sign-in-settings.ts';
import { serveWebSockets } from './websocket.ts';

export interface GatewayServer {
  /** http://host:port/graphql */
  url: string;
  live: ChangeHub;
  registry: Registry;
  /**
   * Drains, then stops: requests arriving from now on (kept-alive
   * connections too) are refused with 503 and `Connection: close`; the feed
   * stops; every subscription completes (SSE streams end with `complete`,
   * graphql-ws sockets close with 1001); queries in flight finish. What is
   * still open after `graceMs` (default 5 s) is cut. Not the pool or store.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The gateway on a socket: GraphQL over HTTP and SSE, graphql-ws on the same
 * path, subscriptions fed by `feed`. main.ts runs it; tests run the same.
 */
export async function startGatewayServer(
  deps: Omit<GatewayDeps, 'live' | 'registry'> & {
    feed: ChangeFeedSubscriber;
    host: string;
    port: number;
    /** Where the gateway's metrics go (its /metrics); default a registry of its own. */
    registry?: Registry;
    /** Bounds of each subscriber's queue (CRH_SUBSCRIBER_*); default DEFAULT_SUBSCRIBER_LIMITS. */
    subscriberLimits?: Partial<SubscriberLimits>;
    /** The built dashboard served at / (CRH_DASHBOARD_DIR); default DEFAULT_DASHBOARD_DIR. */
    dashboardDir?: string;
    /** Origins the dashboard may connect to besides its own and the OpenID provider's issuer. */
    dashboardConnectSources?: readonly string[];
    /** The dashboard's sign-in with the identity provider (CRH_OIDC_*); unset: sign-in links only. */
    oidc?: OidcSignIn;
  },
): Promise<GatewayServer> {
  const registry = deps.registry ?? createMetricsRegistry('gateway');
  const live = createChangeHub({
    store: deps.store,
    db: deps.db,
    timeZone: deps.rules.timeZone,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.subscriberLimits ? { limits: deps.subscriberLimits } : {}),
  });
  // Listening before the socket opens: a subscription never misses a change
  // committed after it was accepted (unless the feed starts degraded: then
  // it delivers what was published since this call once its broker is back).
  await deps.feed.start((values, traceparents) =>
    inPushSpan(values.length, traceparents, () => live.deliver(values)),
  );
  // One count per caller across HTTP, SSE and graphql-ws.
  const rateLimit = deps.rateLimit ?? defaultRateLimit();
  new Gauge({
    name: 'crh_gateway_subscriptions',
    help: 'GraphQL subscriptions open on this gateway (SSE and graphql-ws)',
    registers: [registry],
    collect() {
      this.set(live.subscriptions());
    },
  });
  const yoga = createApp({ ...deps, live, rateLimit, registry });
  const metricsReaders = metricsAccess(deps.auth);
  // GraphiQL's scripts and styles, where GraphiQL is shown (not in production unless CRH_GRAPHIQL=on).
  const graphiqlAssets = (deps.graphql?.exposure ?? DEVELOPMENT_EXPOSURE).graphiql
    ? serveGraphiQLAssets(deps.graphiqlDir ?? defaultGraphiQLDir())
    : null;
  let closing = false;
  const dashboard = dashboardSite(deps.dashboardDir ?? DEFAULT_DASHBOARD_DIR, [
    ...(deps.dashboardConnectSources ?? []),
    ...oidcConnectSources(deps.oidc),
  ]);
  // /healthz and /readyz answer without a token (probes carry none), and so
  // do the dashboard's files, its sign-in settings and GraphiQL's assets (they
  // hold no data: the pages ask /graphql with their token); the rest is Yoga's.
  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (closing) return void refuseWhileClosing(response);
    if (graphiqlAssets?.(request, response)) return;
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
    if (path === '/metrics' && request.method === 'GET') {
      return void sendMetrics(request, response, { registry, metricsAccess: metricsReaders });
    }
    if (path === SIGN_IN_SETTINGS_PATH && request.method === 'GET') {
      return void sendSignInSettings(response, deps.oidc);
    }
    if ((request.method === 'GET' || request.method === 'HEAD') && path !== yoga.graphqlEndpoint) {
      return void dashboard(request, response);
    }
    return void yoga(request, response);
  });
  new Gauge({
    name: 'crh_gateway_http_connections',
    help: 'TCP connections open to this gateway (HTTP, SSE and WebSocket)',
    registers: [registry],
    async collect() {
      this.set(await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n ?? 0))));
    },
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
    registry,
    async close(graceMs = 5_000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // The feed stops while subscriptions end (a Kafka consumer may take a
      // while to leave its group; nothing it still delivers has a taker).
      const feedClosed = deps.feed.close();
      // Every subscription completes: SSE streams send `complete` and end.
      live.close();
      // graphql-ws sockets close with 1001 (going away).
      await closeWebSockets();
      await feedClosed;
      // Queries in flight finish, and each connection closes once idle (an
      // ended SSE stream leaves its kept-alive connection idle); a client
      // that stopped reading is cut.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      try {
        await closed;
      } finally {
        clearInterval(idle);
        clearTimeout(timer);
      }
    },
  };
}

/** A request that arrived (on a kept-alive connection) after shutdown began. */
function refuseWhileClosing(response: ServerResponse): void {
  response
    .writeHead(503, {
      'content-type': 'application/problem+json',
      connection: 'close',
      'retry-after': '1',
    })
    .end(
      JSON.stringify({
        title: 'Shutting down',
        status: 503,
        detail: 'this gateway is shutting down: send the request again',
      }),
    );
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
