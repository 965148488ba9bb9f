import { loadConfig, requireDatabaseUrl } from '@crh/config';
import { openEventStore } from '@crh/event-store/open';
import { createLogger, createMetricsRegistry, onShutdown } from '@crh/observability';
import { createPgPool } from '@crh/postgres';
import { createApp } from './app.ts';

const config = loadConfig();
const logger = createLogger('ingest', config.env.LOG_LEVEL);
const pool = createPgPool(requireDatabaseUrl(config), {
  max: config.env.PG_POOL_MAX,
  applicationName: 'crh-ingest',
});
const store = await openEventStore({ kind: config.env.EVENT_STORE, pool, esdbUrl: config.env.ESDB_URL });
await store.migrate();

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

onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
  // close() stops accepting and waits for in-flight requests, so appends finish.
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await store.close();
  await pool.end();
});
