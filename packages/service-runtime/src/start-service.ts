import { ConfigError, loadConfig, loadDotEnv, type PlatformConfig, requireDatabaseUrl } from '@crh/config';
import type { EventStore } from '@crh/event-store';
import { openEventStore } from '@crh/event-store/open';
import { createLogger, type Logger, onShutdown } from '@crh/observability';
import { createPgPool } from '@crh/postgres';
import type { Pool } from 'pg';

export type ServiceName = 'ingest' | 'projector' | 'gateway' | 'relay';

export interface ServiceOptions {
  name: ServiceName;
  /**
   * Checks of the configuration this service alone needs, run before anything
   * connects (throw ConfigError), e.g. the relay's Kafka brokers.
   */
  require?: (config: PlatformConfig) => void;
  /** Schema this service needs besides the event log's own (the read models). */
  migrate?: (pool: Pool) => Promise<void>;
}

export interface ServiceRuntime {
  config: PlatformConfig;
  logger: Logger;
  /** The service's PostgreSQL pool (read models, checkpoints; the log too on EVENT_STORE=postgres). */
  pool: Pool;
  store: EventStore;
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
 * may start first).
 */
export async function startService(options: ServiceOptions): Promise<ServiceRuntime> {
  const config = configOrExit(options);
  const logger = createLogger(options.name, config.env.LOG_LEVEL);
  const pool = createPgPool(requireDatabaseUrl(config), {
    max: config.env.PG_POOL_MAX,
    applicationName: `crh-${options.name}`,
  });
  const store = await openEventStore({ kind: config.env.EVENT_STORE, pool, esdbUrl: config.env.ESDB_URL });
  await store.migrate();
  await options.migrate?.(pool);
  return {
    config,
    logger,
    pool,
    store,
    onShutdown(drain) {
      onShutdown(logger, config.env.SHUTDOWN_TIMEOUT_MS, async () => {
        await drain();
        await store.close();
        await pool.end();
      });
    },
  };
}

function configOrExit(options: ServiceOptions): PlatformConfig {
  try {
    loadDotEnv();
    const config = loadConfig();
    requireDatabaseUrl(config);
    options.require?.(config);
    return config;
  } catch (error) {
    // A configuration mistake is the operator's to fix: say what, not where in our code.
    console.error(`crh ${options.name}: ${error instanceof ConfigError ? error.message : String(error)}`);
    process.exit(1);
  }
}
