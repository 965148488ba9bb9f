import { createMetricsRegistry } from '@crh/observability';
import { startService } from '@crh/service-runtime';
import { createApp } from './app.ts';

const { config, logger, store, onShutdown } = await startService({ name: 'ingest' });

const app = createApp({
  store,
  logger,
  registry: createMetricsRegistry('ingest'),
  bodyLimit: config.env.INGEST_BODY_LIMIT,
  // Ready when the event store answers (whichever adapter it is).
  ready: async () => {
    await store.headPosition();
    return true;
  },
});

const server = app.listen(config.env.INGEST_PORT, config.env.HOST, () => {
  logger.info(
    { port: config.env.INGEST_PORT },
    `ingest listening on http://localhost:${config.env.INGEST_PORT}`,
  );
});

onShutdown(async () => {
  // close() stops accepting and waits for in-flight requests, so appends finish.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
});
