import { createRateLimit, type TokenVerifier } from '@crh/auth';
import type { EventStore } from '@crh/event-store';
import type { CustomerKeys, ErasureAudit } from '@crh/event-store/encryption';
import type { Logger, Registry } from '@crh/observability';
import express, { type Express } from 'express';
import { accessControl, type RateClass } from './access-control.ts';
import { corsPolicy } from './cors-policy.ts';
import { customerKeysRoutes } from './customer-keys-routes.ts';
import { createDrain, type Drain } from './drain.ts';
import { erasureRoutes } from './erasure-routes.ts';
import { eventsRoutes } from './events-routes.ts';
import { httpMetrics } from './http-metrics.ts';
import { openApiDocument } from './openapi-document.ts';
import { problemMiddleware, problemTypes, sendProblem } from './problem-details.ts';
import { replayRoutes } from './replay-routes.ts';
import { requestLog } from './request-log.ts';

export interface IngestDeps {
  store: EventStore;
  logger: Logger;
  registry: Registry;
  /** Readiness probe: resolves when the event store can take appends. */
  ready: () => Promise<boolean>;
  /** Largest accepted body, in body-parser syntax. Default '8mb'. */
  bodyLimit?: string;
  /** Checks each request's bearer token (CRH_AUTH=off: a verifier that lets all in as admin). */
  auth: TokenVerifier;
  /**
   * Requests per token subject (`N/sec`, `N/min`, `N/hour`): `replay` the
   * replay API (CRH_REPLAY_RATE_LIMIT), `append` POST /v1/events
   * (CRH_INGEST_RATE_LIMIT), `read` every other route (CRH_RATE_LIMIT).
   */
  limits: Readonly<Record<RateClass, string>>;
  /** Origins answered with Access-Control-Allow-Origin (CRH_CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** Graceful shutdown (main.ts begins it on SIGTERM); default: one never begun. */
  drain?: Drain;
  /**
   * The customers' keys `store` seals with, the database of the erasure
   * audit trail, and how long a consumer may keep a key: with them POST
   * /v1/customers/{customerId}/erasure and POST /v1/customer-keys are served.
   */
  personalData?: { keys: CustomerKeys; audit: ErasureAudit; keyCacheSeconds: number };
}

/** The ingest HTTP app; no listening, no env reading (see main.ts). */
export function createApp(deps: IngestDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer counts, refusals included.
  app.use(httpMetrics(deps.registry));
  const drain = deps.drain ?? createDrain();
  // A request arriving while the process shuts down is refused before any work.
  app.use(drain.middleware);
  app.use(requestLog(deps.logger));
  app.use(corsPolicy(deps.corsOrigins ?? []));

  // Probes carry no token: these two answer anyone, and say nothing but up or ready.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await deps.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ ready: ok });
  });

  // Everything below needs a valid token: unknown paths too (401 before 404), and before any body is read.
  const access = accessControl(deps.auth, {
    replay: createRateLimit(deps.limits.replay),
    append: createRateLimit(deps.limits.append),
    read: createRateLimit(deps.limits.read),
  });
  app.use(access.authenticate);

  app.get('/metrics', access.permit('metrics:read', 'read'), async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  const openapi = JSON.stringify(openApiDocument());
  app.get('/openapi.json', access.permit(null, 'read'), (_req, res) => {
    res.type('application/json').send(openapi);
  });

  app.use(replayRoutes(deps.store, access, drain.signal));
  app.use(eventsRoutes({ store: deps.store, bodyLimit: deps.bodyLimit ?? '8mb', access }));
  const personal = deps.personalData;
  if (personal) {
    const { keys, audit, keyCacheSeconds } = personal;
    app.use(erasureRoutes({ store: deps.store, keys, audit, access, logger: deps.logger }));
    app.use(customerKeysRoutes({ keys, access, logger: deps.logger, cacheSeconds: keyCacheSeconds }));
  }

  app.use((req, res) => {
    sendProblem(res, {
      type: problemTypes.notFound,
      title: 'Not found',
      status: 404,
      detail: `no route for ${req.method} ${req.path}`,
    });
  });
  app.use(problemMiddleware);
  return app;
}
