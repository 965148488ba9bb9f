import { createServer } from 'node:http';
import { loadConfig, requireDatabaseUrl } from '@crh/config';
import { createPgPool, createPostgresEventStore } from '@crh/event-store/postgres';
import { createLogger, onShutdown } from '@crh/observability';
import { migrateReadModels, readModelsBuiltWithOtherRules } from '@crh/read-models';
import { createApp } from './app.ts';

const config = loadConfig();
const logger = createLogger('gateway', config.env.LOG_LEVEL);
const pool = createPgPool(requireDatabaseUrl(config), {
  max: config.env.PG_POOL_MAX,
  applicationName: 'crh-gateway',
});
const store = createPostgresEventStore({ pool });
await store.migrate();
await migrateReadModels(pool); // the gateway may start before the projector
if (await readModelsBuiltWithOtherRules(pool, config.rules)) {
  logger.warn(
    {},
    'the read models were built with another time zone, tier policy or cadence than this gateway has (or are being rebuilt): give every service the same CRH_* settings',
  );
}

const yoga = createApp({
  store,
  db: pool,
  logger,
  rules: config.rules,
  healthWeights: config.healthWeights,
  complaintSla: config.complaintSla,
});
const server = createServer(yoga);
server.listen(config.env.GATEWAY_PORT, config.env.HOST, () => {
  logger.info(
    { port: config.env.GATEWAY_PORT },
    `GraphQL on http://localhost:${config.env.GATEWAY_PORT}/graphql`,
  );
});

onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await store.close();
  await pool.end();
});
