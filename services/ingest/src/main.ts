import { AUTH_OFF_WARNING, authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { createMetricsRegistry, registerPoolMetrics } from '@crh/observability';
import { startService } from '@crh/service-runtime';
import { createApp } from './app.ts';
import { closeServer, createDrain } from './drain.ts';

const { config, logger, pool, store, keys, onShutdown } = await startService({ name: 'ingest' });
// Ingest seals what it records: it always has the keys (startService's default).
if (!keys) throw new Error("ingest started without the customers' keys");
const registry = createMetricsRegistry('ingest');
registerPoolMetrics(registry, pool);

const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);

const drain = createDrain();
const app = createApp({
  drain,
  store,
  logger,
  registry,
  bodyLimit: config.env.INGEST_BODY_LIMIT,
  auth,
  limits: {
    replay: config.env.CRH_REPLAY_RATE_LIMIT,
    append: config.env.CRH_INGEST_RATE_LIMIT,
    read: config.env.CRH_RATE_LIMIT,
  },
  corsOrigins: config.env.CRH_CORS_ORIGINS,
  // The erasure call (admins) and the keys for readers of the sealed topic (analysts).
  personalData: { keys, audit: pool, keyCacheSeconds: Math.ceil(config.env.CRH_KEY_CACHE_TTL_MS / 1000) },
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
  // In-flight appends finish; kept-alive connections are refused new
  // requests; replays stop at a line boundary. What is still open at 80% of
  // SHUTDOWN_TIMEOUT_MS (a client that stopped reading) is cut, so the
  // store and pool still close before the forced exit.
  await closeServer(server, drain, Math.floor(config.env.SHUTDOWN_TIMEOUT_MS * 0.8));
});
