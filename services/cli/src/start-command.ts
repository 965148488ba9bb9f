import { join } from 'node:path';
import type { PlatformConfig } from '@crh/config';
import { openEventStore } from '@crh/event-store/open';
import { createPgPool } from '@crh/postgres';
import { migrateReadModels } from '@crh/read-models/schema';
import { generateBook } from './bench/book-generator.ts';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';
import { SERVICES, spawnServices, stopServices, waitForHttp } from './platform/service-processes.ts';

const log = (line: string) => console.log(`[crh] ${line}`);

export interface StartFlags {
  seedDemo?: boolean;
  kafka?: boolean;
}

/**
 * `crh start [--seed-demo] [--kafka]`: the whole platform in the foreground;
 * Ctrl-C stops it. `--kafka` runs the change feed on Kafka and adds the
 * relay (KAFKA_BROKERS, else a local broker from infra/kafka whose data is
 * kept in .crh/kafka/start).
 */
export async function startCommand(config: PlatformConfig, flags: StartFlags): Promise<void> {
  const database = await openPlatformDatabase(config, log);
  log(`database: ${database.description}`);
  const kafka = flags.kafka ? await startKafka(config) : null;

  // Migrate once here so the services don't all race for it on first start.
  const pool = createPgPool(database.url, { max: 4, applicationName: 'crh-cli' });
  // The log where the services keep it (EVENT_STORE), so the demo lands there too.
  const store = await openEventStore({ kind: config.env.EVENT_STORE, pool, esdbUrl: config.env.ESDB_URL });
  await store.migrate();
  await migrateReadModels(pool);
  if (flags.seedDemo) {
    const today = new Date().toISOString().slice(0, 10);
    const events = generateBook({
      customers: 200,
      managers: 5,
      eventsPerCustomer: 25,
      endDate: today,
      days: 180,
      seed: 7,
    });
    for (let i = 0; i < events.length; i += 500) await store.append(events.slice(i, i + 500));
    log(
      `demo data: ${events.length} events for 200 customers (am-1 .. am-5) — re-seeding records nothing twice`,
    );
  }
  await store.close();
  await pool.end();

  const children = spawnServices(kafka ? [...SERVICES, 'relay'] : SERVICES, {
    ...process.env,
    DATABASE_URL: database.url,
    ...(kafka ? { CHANGE_FEED: 'kafka', KAFKA_BROKERS: kafka.brokers.join(',') } : {}),
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping services ...');
    await stopServices(children);
    await kafka?.stop();
    await database.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  for (const child of children) {
    child.once('exit', (code) => {
      if (!stopping) {
        log(`a service exited (code ${code}); stopping the platform`);
        void stop(1);
      }
    });
  }

  await Promise.all([
    waitForHttp(`http://127.0.0.1:${config.env.INGEST_PORT}/readyz`),
    waitForHttp(`http://127.0.0.1:${config.env.GATEWAY_PORT}/graphql?query=%7B__typename%7D`),
  ]);
  log('platform is up:');
  log(`  GraphQL (GraphiQL in a browser): http://localhost:${config.env.GATEWAY_PORT}/graphql`);
  log(`  ingest API:                      http://localhost:${config.env.INGEST_PORT}/v1/events`);
  log(`  projector health and metrics:    http://localhost:${config.env.PROJECTOR_PORT}/readyz`);
  if (kafka) {
    log(`  Kafka (${kafka.where}):  ${kafka.brokers.join(',')}`);
    log(
      `    change feed topic ${config.env.CHANGE_FEED_TOPIC}; the event log, for data teams: ${config.env.RELAY_TOPIC}`,
    );
  }
  log('Ctrl-C stops everything.');
}

async function startKafka(
  config: PlatformConfig,
): Promise<{ brokers: string[]; where: string; stop(): Promise<void> }> {
  if (config.env.KAFKA_BROKERS?.length) {
    return { brokers: config.env.KAFKA_BROKERS, where: 'KAFKA_BROKERS', stop: async () => {} };
  }
  const { KAFKA_VERSION, startLocalKafka } = await import('@crh/local-kafka');
  log(`starting Apache Kafka ${KAFKA_VERSION} from infra/kafka (first start downloads its jars) ...`);
  const kafka = await startLocalKafka({ dataDir: join(dataDir(), 'kafka', 'start') });
  return {
    brokers: kafka.brokers,
    where: `local ${KAFKA_VERSION}, data in .crh/kafka/start`,
    stop: kafka.stop,
  };
}
