import { AUTH_OFF_WARNING, adminAccess, authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { requireChangeFeed } from '@crh/config';
import { Counter, createMetricsRegistry, createOpsServer, Gauge } from '@crh/observability';
import { alertChanges, batchChanges, dayTurnChanges } from '@crh/read-models/projection';
import { createProjector } from '@crh/read-models/runner';
import { migrateReadModels } from '@crh/read-models/schema';
import { startService } from '@crh/service-runtime';
import { openFeedPublisher, publishing } from './feed-publisher.ts';

const { config, logger, pool, store, onShutdown } = await startService({
  name: 'projector',
  require: requireChangeFeed,
  migrate: migrateReadModels,
});

const registry = createMetricsRegistry('projector');
const projected = new Counter({
  name: 'crh_projected_events_total',
  help: 'Events projected',
  registers: [registry],
});
const parked = new Counter({ name: 'crh_parked_events_total', help: 'Events parked', registers: [registry] });
const unpublished = new Counter({
  name: 'crh_feed_publish_failures_total',
  help: 'Changes dropped from the change feed: its backlog over the bound while the broker is away, or left at shutdown',
  registers: [registry],
});

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
// /metrics needs an admin token, like every endpoint but the probes.
const auth = await createTokenVerifier(authSettingsFrom(config.env));
if (!auth.enabled) logger.warn({}, AUTH_OFF_WARNING);
const ops = createOpsServer({
  registry,
  metricsAccess: adminAccess(auth),
  ready: async () => {
    await pool.query('select 1');
    return true;
  },
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
