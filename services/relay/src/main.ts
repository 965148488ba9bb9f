import { ConfigError, loadConfig, requireDatabaseUrl } from '@crh/config';
import { createRelay } from '@crh/event-relay';
import { openEventStore } from '@crh/event-store/open';
import { createKafkaClient } from '@crh/messaging/kafka';
import {
  Counter,
  createLogger,
  createMetricsRegistry,
  createOpsServer,
  onShutdown,
} from '@crh/observability';
import { createPgPool } from '@crh/postgres';

const config = loadConfig();
const brokers = config.env.KAFKA_BROKERS ?? [];
if (brokers.length === 0) {
  throw new ConfigError(
    'KAFKA_BROKERS is required by the relay: a comma-separated host:port list, e.g. KAFKA_BROKERS=127.0.0.1:9092',
  );
}
const logger = createLogger('relay', config.env.LOG_LEVEL);
const pool = createPgPool(requireDatabaseUrl(config), {
  max: config.env.PG_POOL_MAX,
  applicationName: 'crh-relay',
});
const store = await openEventStore({ kind: config.env.EVENT_STORE, pool, esdbUrl: config.env.ESDB_URL });
await store.migrate();

const kafka = createKafkaClient({ brokers, clientId: `${config.env.KAFKA_CLIENT_ID}-relay`, logger });

const registry = createMetricsRegistry('relay');
const relayed = new Counter({
  name: 'crh_relayed_events_total',
  help: 'Events sent to the relay topic and acknowledged by the brokers',
  labelNames: ['topic'],
  registers: [registry],
});
const topic = config.env.RELAY_TOPIC;

const relay = createRelay({
  store,
  pool,
  kafka,
  topic,
  partitions: config.env.RELAY_PARTITIONS,
  batchSize: config.env.RELAY_BATCH_SIZE,
  logger,
  onRelayed: (sent) => relayed.inc({ topic }, sent),
});

const controller = new AbortController();
const running = relay.run(controller.signal);
const ops = createOpsServer({
  registry,
  // Ready when the database and a broker answer; a relay standing by is ready too.
  ready: async () => {
    await pool.query('select 1');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
    return true;
  },
});
ops.listen(config.env.RELAY_PORT, config.env.HOST, () => {
  logger.info({ port: config.env.RELAY_PORT, topic }, 'relay ops endpoints listening');
});

onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
  controller.abort();
  // The batch in flight is acknowledged and checkpointed, then run() disconnects its producer.
  await running;
  await new Promise<void>((resolve) => ops.close(() => resolve()));
  await store.close();
  await pool.end();
});
