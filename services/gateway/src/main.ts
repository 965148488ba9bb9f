import { createServer } from 'node:http';
import { loadConfig, requireDatabaseUrl } from '@crh/config';
import { createPgPool, createPostgresEventStore } from '@crh/event-store/postgres';
import { createLogger, onShutdown } from '@crh/observability';
import { migrateReadModels, readModelsBuiltWithOtherRules } from '@crh/read-models';
import { createApp } from './app.ts';
import { openFeedSubscriber } from './feed-subscriber.ts';
import { createChangeHub } from './live/change-hub.ts';
import { serveWebSockets } from './websocket.ts';

const config = loadConfig();
const logger = createLogger('gateway', config.env.LOG_LEVEL);
const databaseUrl = requireDatabaseUrl(config);
const pool = createPgPool(databaseUrl, {
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

// Subscriptions: the change feed, fanned out to this process's subscribers.
const live = createChangeHub({ store, db: pool, timeZone: config.rules.timeZone, logger });
const feed = openFeedSubscriber(config, databaseUrl, logger);
await feed.start((values) => live.deliver(values));
logger.info({ feed: config.env.CHANGE_FEED }, 'listening to the change feed');

const yoga = createApp({
  store,
  db: pool,
  logger,
  rules: config.rules,
  healthWeights: config.healthWeights,
  complaintSla: config.complaintSla,
  live,
});
const server = createServer(yoga);
const closeWebSockets = serveWebSockets(server, yoga);
server.listen(config.env.GATEWAY_PORT, config.env.HOST, () => {
  logger.info(
    { port: config.env.GATEWAY_PORT },
    `GraphQL on http://localhost:${config.env.GATEWAY_PORT}/graphql (subscriptions over SSE and WebSocket)`,
  );
});

onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
  await feed.close();
  await closeWebSockets();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Subscriptions are long-lived: SSE responses end when the server closes them.
    server.closeAllConnections();
  });
  await store.close();
  await pool.end();
});
