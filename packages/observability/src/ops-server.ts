import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A readiness answer with the figures it was decided on (they go into the /readyz body). */
export interface ReadyReport {
  ready: boolean;
  [detail: string]: unknown;
}

export interface OpsServerOptions {
  registry: Registry;
  /**
   * Resolves true (or a report with `ready: true`) when the service can do
   * its work (database reachable, caught up, etc.); a rejection is not ready,
   * its message in the body.
   */
  ready: () => Promise<boolean | ReadyReport>;
  /**
   * Who may read /metrics, from the request's Authorization header: 'ok', or
   * the status to refuse with. Absent: anyone who reaches the port.
   */
  metricsAccess?: (authorization: string | undefined) => Promise<'ok' | 401 | 403>;
}

/**
 * /healthz (the process is alive), /readyz (it can serve) and /metrics, for
 * services whose main protocol is not plain HTTP routes (projector) or that
 * want them outside their app.
 */
export function createOpsServer({ registry, ready, metricsAccess }: OpsServerOptions): Server {
  return createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url === '/readyz') {
      ready().then(
        (answer) => {
          const report = typeof answer === 'boolean' ? { ready: answer } : answer;
          res
            .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify(report));
        },
        (error: unknown) =>
          res
            .writeHead(503, { 'content-type': 'application/json' })
            .end(
              JSON.stringify({ ready: false, error: error instanceof Error ? error.message : String(error) }),
            ),
      );
      return;
    }
    if (url === '/metrics') {
      sendMetrics(req, res, { registry, ...(metricsAccess ? { metricsAccess } : {}) });
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/problem+json' })
      .end('{"title":"Not Found","status":404}');
  });
}

/**
 * Answers GET /metrics: the registry's text for whom `metricsAccess` lets
 * in, else 401 (with WWW-Authenticate) or 403 as problem+json. Shared by the
 * ops server and the gateway, whose /metrics sits beside its GraphQL.
 */
export function sendMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  { registry, metricsAccess }: Pick<OpsServerOptions, 'registry' | 'metricsAccess'>,
): void {
  const access = metricsAccess ? metricsAccess(req.headers.authorization) : Promise.resolve('ok' as const);
  access
    .then(async (verdict) => {
      if (verdict !== 'ok') {
        res
          .writeHead(verdict, {
            'content-type': 'application/problem+json',
            ...(verdict === 401 ? { 'www-authenticate': 'Bearer realm="crh"' } : {}),
          })
          .end(JSON.stringify({ title: verdict === 401 ? 'Unauthorized' : 'Forbidden', status: verdict }));
        return;
      }
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(text);
    })
    .catch(() => res.writeHead(500).end());
}
