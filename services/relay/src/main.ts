import { AUTH_OFF_WARNING, authSettingsFrom, createTokenVerifier, metricsAccess } from '@crh/auth';
import { requireKafkaBrokers } from '@crh/config';
import { createRelay, RELAY_MIGRATION_PLAN } from '@crh/event-relay';
import { createKafkaClient } from '@crh/messaging/kafka';
import {
  Counter,
  createMetricsRegistry,
  createOpsServer,
  Gauge,
  registerPoolMetrics,
} from '@crh/observability';
import { startService } from '@crh/service-runtime';

const {
  config,
  required: brokers,
  logger,
  pool,
  store,
  onShutdown,
} = await startService({
  name: 'relay',
  require: (config) => requireKafkaBrokers(config, 'the relay'),
  schema: [RELAY_MIGRATION_PLAN],
  // The topic gets the log as stored, personal fields sealed: an erasure
  // reaches messages already published, and the relay holds no key.
  personalData: 'sealed',
});
const kafka = createKafkaClient({ brokers, clientId: `${config.env.KAFKA_CLIENT_ID}-relay`, logger });

const registry = createMetricsRegistry('relay');
const relayed = new Counter({
  name: 'crh_relayed_events_total',
  help: 'Events sent to the relay topic and acknowledged by the brokers',
  labelNames: ['topic'],
  registers: [registry],
});
registerPoolMetrics(registry, pool);
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

// The lag as measured on each scrape; a failed measurement (no database) leaves the last figures.
const lagEvents = new Gauge({
  name: 'crh_relay_lag_events',
  help: 'Events recorded in the log but not yet on the relay topic (behind its checkpoint)',
  registers: [registry],
  collect: sampleLag,
});
const lagSeconds = new Gauge({
  name: 'crh_relay_lag_seconds',
  help: 'How long the oldest event not yet on the relay topic has waited (0 when caught up)',
  registers: [registry],
  collect: sampleLag,
});
// One measurement serves both gauges, collected together.
let measuring: Promise<void> | null = null;
function sampleLag(): Promise<void> {
  measuring ??= relay
    .lag()
    .then(
      (lag) => {
        lagEvents.set(lag.events);
        lagSeconds.set(lag.seconds);
      },
      () => undefined,
    )
    .finally(() => {
      measuring = null;
    });
  return measuring;
}

const controller = new AbortController();
const running = relay.run(controller.signal);
// /metrics needs a token with metrics:read (monitoring or admin), like every endpoint but the probes.
const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);
const ops = createOpsServer({
  registry,
  metricsAccess: metricsAccess(auth),
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

onShutdown(async () => {
  controller.abort();
  // The batch in flight is acknowledged and checkpointed, then run() disconnects its producer.
  await running;
  await new Promise<void>((resolve) => ops.close(() => resolve()));
});
