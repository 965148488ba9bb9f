import { randomUUID } from 'node:crypto';
import type { EventStore } from '@crh/event-store';
import type { Logger, Registry } from '@crh/observability';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { eventsRoutes } from './events-routes.ts';
import { openApiDocument } from './openapi-document.ts';
import { problemMiddleware, problemTypes, sendProblem } from './problem-details.ts';
import { replayRoutes } from './replay-routes.ts';

export interface IngestDeps {
  store: EventStore;
  logger: Logger;
  registry: Registry;
  /** Readiness probe: resolves when the event store can take appends. */
  ready: () => Promise<boolean>;
  /** Largest accepted body, in body-parser syntax. Default '8mb'. */
  bodyLimit?: string;
}

/** The ingest HTTP app; no listening, no env reading (see main.ts). */
export function createApp(deps: IngestDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && incoming.length <= 128 ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await deps.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ ready: ok });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  const openapi = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });

  app.use(replayRoutes(deps.store));
  app.use(eventsRoutes({ store: deps.store, bodyLimit: deps.bodyLimit ?? '8mb' }));

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
