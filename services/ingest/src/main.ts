import { AUTH_OFF_WARNING, authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { createMetricsRegistry } from '@crh/observability';
import { startService } from '@crh/service-runtime';
import { createApp } from './app.ts';

const { config, logger, store, onShutdown } = await startService({ name: 'ingest' });

const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);

const app = createApp({
  store,
  logger,
  registry: createMetricsRegistry('ingest'),
  bodyLimit: config.env.INGEST_BODY_LIMIT,
  auth,
  limits: {
    replay: config.env.CRH_REPLAY_RATE_LIMIT,
    append: config.env.CRH_INGEST_RATE_LIMIT,
    read: config.env.CRH_RATE_LIMIT,
  },
  corsOrigins: config.env.CRH_CORS_ORIGINS,
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
