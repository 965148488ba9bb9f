import { AUTH_OFF_WARNING, authSettingsFrom, createTokenVerifier, metricsAccess } from '@crh/auth';
import { requireChangeFeed } from '@crh/config';
import {
  Counter,
  createMetricsRegistry,
  createOpsServer,
  Gauge,
  type ReadyReport,
  registerPoolMetrics,
} from '@crh/observability';
import { alertChanges, batchChanges, dayTurnChanges } from '@crh/read-models/projection';
import { createProjector, measureProjectionLag, type ProjectionLag } from '@crh/read-models/runner';
import { READ_MODEL_MIGRATION_PLAN } from '@crh/read-models/schema';
import { openFeedPublisher, startService } from '@crh/service-runtime';
import { publishing } from './feed-publisher.ts';

const { config, logger, pool, store, onShutdown } = await startService({
  name: 'projector',
  require: requireChangeFeed,
  schema: [READ_MODEL_MIGRATION_PLAN],
});

const registry = createMetricsRegistry('projector');
registerPoolMetrics(registry, pool);
const projected = new Counter({
  name: 'crh_projected_events_total',
  help: 'Events projected',
  registers: [registry],
});
const parked = new Counter({
  name: 'crh_parked_events_total',
  help: 'Events parked (unreadable, poison, or held behind a poison event of their customer)',
  registers: [registry],
});
const unpublished = new Counter({
  name: 'crh_feed_publish_failures_total',
  help: 'Changes dropped from the change feed: its backlog over the bound while the broker is away, or left at shutdown',
  registers: [registry],
});

// The lag as last measured (on each scrape and each readiness probe); a
// failed measurement (no database) leaves the last figures.
const lagEvents = new Gauge({
  name: 'crh_projection_lag_events',
  help: 'Events recorded in the log but not yet applied to the read models',
  registers: [registry],
  collect: sampleLag,
});
const lagSeconds = new Gauge({
  name: 'crh_projection_lag_seconds',
  help: 'How long the oldest event not yet applied has waited (0 when caught up)',
  registers: [registry],
  collect: sampleLag,
});
const parkedNow = new Gauge({
  name: 'crh_parked_events',
  help: 'Events parked now: unreadable, poison events and the events held behind them',
  registers: [registry],
  collect: sampleLag,
});
const blockedNow = new Gauge({
  name: 'crh_blocked_customers',
  help: 'Customers whose views stopped at a poison event (crh parked list | retry | skip)',
  registers: [registry],
  collect: sampleLag,
});
// One measurement serves the gauges (collected together) and a probe arriving meanwhile.
let measuring: Promise<ProjectionLag> | null = null;
function measureLag(): Promise<ProjectionLag> {
  measuring ??= measureProjectionLag(store, pool)
    .then((lag) => {
      lagEvents.set(lag.events);
      lagSeconds.set(lag.seconds);
      parkedNow.set(lag.parked);
      blockedNow.set(lag.blockedCustomers);
      return lag;
    })
    .finally(() => {
      measuring = null;
    });
  return measuring;
}
async function sampleLag(): Promise<void> {
  await measureLag().catch(() => undefined);
}

/** Ready: the database answers and the read models are within the configured lag of the log's head. */
async function readiness(): Promise<ReadyReport> {
  const maxLag = {
    events: config.env.PROJECTOR_READY_MAX_LAG_EVENTS,
    seconds: config.env.PROJECTOR_READY_MAX_LAG_SECONDS,
  };
  try {
    const lag = await measureLag();
    return {
      ready: lag.events <= maxLag.events && lag.seconds <= maxLag.seconds,
      database: 'reachable',
      lag: { events: lag.events, seconds: Math.round(lag.seconds * 10) / 10 },
      maxLag,
      head: lag.head,
      checkpoint: lag.checkpoint,
      parked: lag.parked,
      blockedCustomers: lag.blockedCustomers,
    };
  } catch (error) {
    return {
      ready: false,
      database: 'unreachable',
      error: error instanceof Error ? error.message : String(error),
      maxLag,
    };
  }
}

const feed = openFeedPublisher(config, pool, logger);
const publish = publishing(feed, logger, (n) => unpublished.inc(n));
new Gauge({
  name: 'crh_feed_backlog_changes',
  help: 'Committed changes waiting to be published on the change feed',
  registers: [registry],
  collect() {
    this.set(publish.backlog());
  },
});

const projector = createProjector({
  store,
  pool,
  logger,
  context: config.rules,
  batchSize: config.env.PROJECTOR_BATCH_SIZE,
  partitions: config.env.PROJECTOR_PARTITIONS,
  dayTurnCheckMs: config.env.DAY_TURN_CHECK_MS,
  complaintSla: config.complaintSla,
  onCommitted: async (result) => {
    projected.inc(result.applied);
    parked.inc(result.parked);
    await publish(batchChanges(result));
  },
  onDayTurned: (turn) => publish(dayTurnChanges(turn)),
  onDeadlinesPassed: (alerts) => publish(alertChanges(alerts)),
});

const controller = new AbortController();
const running = projector.run(controller.signal);
// /metrics needs a token with metrics:read (monitoring or admin), like every endpoint but the probes.
const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);
const ops = createOpsServer({
  registry,
  metricsAccess: metricsAccess(auth),
  ready: readiness,
});
ops.listen(config.env.PROJECTOR_PORT, config.env.HOST, () => {
  logger.info({ port: config.env.PROJECTOR_PORT }, 'projector ops endpoints listening');
});

onShutdown(async () => {
  controller.abort();
  await running; // the batch in flight commits or rolls back before we close the pool
  await new Promise<void>((resolve) => ops.close(() => resolve()));
  await publish.close(); // what the feed takes goes out; the rest is counted as lost
  await feed.close();
});
