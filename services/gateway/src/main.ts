import { resolve } from 'node:path';
import { AUTH_OFF_WARNING, authSettingsFrom, createRateLimit, createTokenVerifier } from '@crh/auth';
import { type PlatformConfig, requireChangeFeed, requireDatabaseUrl } from '@crh/config';
import { createMetricsRegistry, registerPoolMetrics } from '@crh/observability';
import { READ_MODEL_MIGRATION_PLAN, readModelsBuiltWithOtherRules } from '@crh/read-models/schema';
import { startService } from '@crh/service-runtime';
import { openFeedSubscriber } from './feed-subscriber.ts';
import { startGatewayServer } from './gateway-server.ts';
import { graphqlSettingsFrom } from './limits/graphql-limits.ts';
import { oidcSignInFrom } from './web/sign-in-settings.ts';

const { config, logger, pool, store, onShutdown, required } = await startService({
  name: 'gateway',
  // A half-configured sign-in stops the gateway here, with the other configuration errors.
  require: (config: PlatformConfig) => {
    requireChangeFeed(config);
    return { oidc: oidcSignInFrom(config.env) };
  },
  schema: [READ_MODEL_MIGRATION_PLAN], // the gateway may start before the projector
});
if (await readModelsBuiltWithOtherRules(pool, config.rules)) {
  logger.warn(
    {},
    'the read models were built with another time zone, tier policy or cadence than this gateway has (or are being rebuilt): give every service the same CRH_* settings',
  );
}

const registry = createMetricsRegistry('gateway');
registerPoolMetrics(registry, pool);

const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);

const gateway = await startGatewayServer({
  auth,
  store,
  db: pool,
  registry,
  logger,
  rules: config.rules,
  healthWeights: config.healthWeights,
  complaintSla: config.complaintSla,
  readYourWritesTimeoutMs: config.env.CRH_READ_YOUR_WRITES_TIMEOUT_MS,
  graphql: graphqlSettingsFrom(config.env),
  graphiqlDir: resolve(config.env.CRH_GRAPHIQL_DIR),
  feed: openFeedSubscriber(config, requireDatabaseUrl(config), logger),
  corsOrigins: config.env.CRH_CORS_ORIGINS,
  rateLimit: createRateLimit(config.env.CRH_RATE_LIMIT),
  host: config.env.HOST,
  port: config.env.GATEWAY_PORT,
  ...(config.env.CRH_DASHBOARD_DIR ? { dashboardDir: config.env.CRH_DASHBOARD_DIR } : {}),
  // The page then calls the provider (its issuer's origin joins the page's connect-src).
  ...(required.oidc ? { oidc: required.oidc } : {}),
  subscriberLimits: {
    items: config.env.CRH_SUBSCRIBER_MAX_ITEMS,
    bytes: config.env.CRH_SUBSCRIBER_MAX_BYTES,
    stallMs: config.env.CRH_SUBSCRIBER_STALL_MS,
  },
});
logger.info(
  { port: config.env.GATEWAY_PORT, feed: config.env.CHANGE_FEED },
  `GraphQL on ${gateway.url} (subscriptions over SSE and WebSocket)`,
);

// Subscriptions complete and queries in flight finish; what is still open at
// 80% of SHUTDOWN_TIMEOUT_MS is cut, so the pool still closes before the forced exit.
onShutdown(() => gateway.close(Math.floor(config.env.SHUTDOWN_TIMEOUT_MS * 0.8)));
