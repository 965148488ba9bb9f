import { ConfigError, loadConfig, loadDotEnv, type PlatformConfig, requireDatabaseUrl } from '@crh/config';
import type { EventStore } from '@crh/event-store';
import {
  CUSTOMER_KEYS_MIGRATION_PLAN,
  CustomerKeys,
  ERASURE_CHANNEL,
  MasterKeyMismatchError,
} from '@crh/event-store/encryption';
import { openEventStore } from '@crh/event-store/open';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger, type Logger, onShutdown, tracingActive, tracingRequested } from '@crh/observability';
import {
  canChangeSchema,
  createPgPool,
  type MigrationPlan,
  pendingMigrations,
  runMigrations,
} from '@crh/postgres';
import type { Pool } from 'pg';
import { sealingOptionsOf } from './sealing-options.ts';

export type ServiceName = 'ingest' | 'projector' | 'gateway' | 'relay';

export interface ServiceOptions<Required> {
  name: ServiceName;
  /**
   * What this service alone needs of the configuration, checked before
   * anything connects (throw ConfigError), e.g. the relay's Kafka brokers;
   * what it returns is the runtime's `required`.
   */
  require?: (config: PlatformConfig) => Required;
  /**
   * Schema this service needs besides the event log's own (the read models,
   * the relay's checkpoints): migrated at start when the service's database
   * role may change the schema, else checked to be up to date.
   */
  schema?: readonly MigrationPlan[];
  /**
   * `sealed`: the service reads the log as it is stored, personal fields
   * sealed, and holds no key at all (the relay: what it copies to Kafka
   * stays sealed, docs/erasure.md). Default `opened`: sealed on the way in,
   * opened on the way out, with the customers' keys.
   */
  personalData?: 'opened' | 'sealed';
}

export interface ServiceRuntime<Required> {
  config: PlatformConfig;
  /** What `require` returned. */
  required: Required;
  logger: Logger;
  /** The service's PostgreSQL pool (read models, checkpoints; the log too on EVENT_STORE=postgres). */
  pool: Pool;
  store: EventStore;
  /** The customers' data keys `store` seals and opens with (the erasure call destroys them); null with `personalData: 'sealed'`. */
  keys: CustomerKeys | null;
  /**
   * What SIGTERM/SIGINT runs: the service's own draining first (stop
   * accepting, finish in-flight work), then the store and the pool close.
   * A timer (SHUTDOWN_TIMEOUT_MS) forces the exit if draining hangs.
   */
  onShutdown(drain: () => Promise<void>): void;
}

/**
 * The start-up every service shares: `.env`, configuration (invalid: one
 * clear message and exit code 1, no stack), logger, pool, the event store
 * EVENT_STORE chooses, and migrations (serialised across services, so any
 * may start first) when its database role may change the schema.
 */
export async function startService<Required = undefined>(
  options: ServiceOptions<Required>,
): Promise<ServiceRuntime<Required>> {
  const { config, required } = configOrExit(options);
  const logger = createLogger(options.name, config.env.LOG_LEVEL);
  if (tracingRequested() && !tracingActive()) {
    // Started as `node main.ts`: the SDK must load before the service's modules, from the preload.
    logger.warn(
      {},
      'OTEL_EXPORTER_OTLP_ENDPOINT is set but this process runs untraced: start it with node --import ./packages/observability/src/tracing/tracing-preload.ts (docs/operations.md#traces)',
    );
  }
  const pool = createPgPool(requireDatabaseUrl(config), {
    max: config.env.PG_POOL_MAX,
    applicationName: `crh-${options.name}`,
    connectTimeoutMs: config.env.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.env.PG_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.env.PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    // A restart or failover ends every connection at once: one line each, and
    // the next query reconnects.
    onConnectionError: (error) =>
      logger.warn({ err: error }, 'database connection lost; reconnecting on demand'),
  });
  const opened = options.personalData !== 'sealed';
  const keys = opened ? new CustomerKeys(pool, await sealingOptionsOf(config)) : null;
  const store = await openEventStore({
    kind: config.env.EVENT_STORE,
    pool,
    esdbUrl: config.env.ESDB_URL,
    sealing: keys ?? undefined,
  });
  // A service that opens the log does so through the customers' keys: their table is part of its schema.
  const keysSchema = opened ? [CUSTOMER_KEYS_MIGRATION_PLAN] : [];
  await migrateOrCheck(options.name, pool, store, [...keysSchema, ...(options.schema ?? [])]);
  if (keys) await masterKeyOrExit(options.name, pool, keys);
  const erasures = keys ? await listenForErasures(config, keys, logger) : null;
  return {
    config,
    required,
    logger,
    pool,
    store,
    keys,
    onShutdown(drain) {
      onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
        await drain();
        await erasures?.close();
        await store.close();
        await pool.end();
      });
    },
  };
}

/**
 * A service connected as the schema's owner (or a member of it) migrates, as
 * it always did: an upgrade by restarting the services still works. A
 * service with a role of its own (docs/operations.md#database-roles) may not
 * change the schema and does not try: it checks that every migration it
 * needs ran, and stops with what to do when one did not (exit code 1, so
 * compose and `npm start` report it rather than serve on an old schema).
 */
async function migrateOrCheck(
  name: ServiceName,
  pool: Pool,
  store: EventStore,
  schema: readonly MigrationPlan[],
): Promise<void> {
  if (await canChangeSchema(pool)) {
    await store.migrate();
    for (const plan of schema) await runMigrations(pool, plan);
    return;
  }
  const pending = [
    ...(await store.pendingMigrations()).map((migration) => `crh.event_store_migrations ${migration}`),
  ];
  for (const plan of schema) {
    pending.push(...(await pendingMigrations(pool, plan)).map((migration) => `${plan.table} ${migration}`));
  }
  if (pending.length === 0) return;
  const { rows } = await pool.query<{ role: string }>('select current_user as role');
  console.error(
    `crh ${name}: the database schema is behind this version of crh (pending: ${pending.join(', ')}). ` +
      `This service's database role "${rows[0]?.role}" may not change the schema: run \`crh migrate\` ` +
      'with the owner\'s DATABASE_URL first (docs/operations.md, "Database roles").',
  );
  await pool.end().catch(() => undefined);
  process.exit(1);
}

/**
 * Every service forgets a customer's cached key as soon as another process
 * erases the customer (CustomerKeys announces each erasure), so no read
 * here opens the customer's fields after the erasure answered. A notice
 * missed while the connection is down is bounded by CRH_KEY_CACHE_TTL_MS;
 * readers of the log also forget on the erasure event itself.
 */
async function listenForErasures(config: PlatformConfig, keys: CustomerKeys, logger: Logger) {
  const subscriber = createNotifySubscriber({
    connectionString: requireDatabaseUrl(config),
    channel: ERASURE_CHANNEL,
    logger,
    connectTimeoutMs: config.env.PG_CONNECT_TIMEOUT_MS,
  });
  await subscriber.start((values) => keys.evict(values.filter((v): v is string => typeof v === 'string')));
  return subscriber;
}

/** Another master key than the database's: one line saying which to give it, exit code 1. */
async function masterKeyOrExit(name: ServiceName, pool: Pool, keys: CustomerKeys): Promise<void> {
  try {
    // The store's own keys: the check they make before their first key, made here once.
    await keys.verifyMaster();
  } catch (error) {
    if (!(error instanceof MasterKeyMismatchError)) throw error;
    console.error(`crh ${name}: ${error.message}`);
    await pool.end().catch(() => undefined);
    process.exit(1);
  }
}

function configOrExit<Required>(options: ServiceOptions<Required>): {
  config: PlatformConfig;
  required: Required;
} {
  try {
    loadDotEnv();
    const config = loadConfig();
    requireDatabaseUrl(config);
    return { config, required: options.require?.(config) as Required };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A configuration mistake is the operator's to fix: say what, not where in our code.
    console.error(`crh ${options.name}: ${error.message}`);
    process.exit(1);
  }
}
