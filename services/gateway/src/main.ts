import { loadConfig, requireDatabaseUrl } from '@crh/config';
import { openEventStore } from '@crh/event-store/open';
import { createLogger, onShutdown } from '@crh/observability';
import { createPgPool } from '@crh/postgres';
import { migrateReadModels, readModelsBuiltWithOtherRules } from '@crh/read-models/schema';
import { openFeedSubscriber } from './feed-subscriber.ts';
import { startGatewayServer } from './gateway-server.ts';

const config = loadConfig();
const logger = createLogger('gateway', config.env.LOG_LEVEL);
const databaseUrl = requireDatabaseUrl(config);
const pool = createPgPool(databaseUrl, {
  max: config.env.PG_POOL_MAX,
  applicationName: 'crh-gateway',
});
const store = await openEventStore({ kind: config.env.EVENT_STORE, pool, esdbUrl: config.env.ESDB_URL });
await store.migrate();
await migrateReadModels(pool); // the gateway may start before the projector
if (await readModelsBuiltWithOtherRules(pool, config.rules)) {
  logger.warn(
    {},
    'the read models were built with another time zone, tier policy or cadence than this gateway has (or are being rebuilt): give every service the same CRH_* settings',
  );
}

const gateway = await startGatewayServer({
  store,
  db: pool,
  logger,
  rules: config.rules,
  healthWeights: config.healthWeights,
  complaintSla: config.complaintSla,
  feed: openFeedSubscriber(config, databaseUrl, logger),
  host: config.env.HOST,
  port: config.env.GATEWAY_PORT,
});
logger.info(
  { port: config.env.GATEWAY_PORT, feed: config.env.CHANGE_FEED },
  `GraphQL on ${gateway.url} (subscriptions over SSE and WebSocket)`,
);

onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
  await gateway.close();
  await store.close();
  await pool.end();
});
