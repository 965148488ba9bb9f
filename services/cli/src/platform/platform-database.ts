import type { PlatformConfig } from '@crh/config';
import { ensureDatabase, runningEmbeddedPostgres, startEmbeddedPostgres } from '@crh/embedded-postgres';
import { dataDir } from './data-dir.ts';

export interface PlatformDatabase {
  url: string;
  /** 'external' when DATABASE_URL was given, else where the embedded server keeps its data. */
  description: string;
  /** The embedded server: crh is its only user, and `url` its superuser. */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL with a `crh`
 * database: the one a running `crh start` serves (`reuseRunning`), else
 * started here.
 */
export async function openPlatformDatabase(
  config: PlatformConfig,
  log: (line: string) => void,
  databaseName = 'crh',
  reuseRunning = false,
): Promise<PlatformDatabase> {
  if (config.env.DATABASE_URL) {
    return {
      url: config.env.DATABASE_URL,
      description: 'external (DATABASE_URL)',
      embedded: false,
      stop: async () => {},
    };
  }
  const dir = dataDir();
  const port = config.env.CRH_EMBEDDED_PG_PORT;
  const running = reuseRunning ? await runningEmbeddedPostgres(port) : null;
  if (running) {
    const url = await ensureDatabase(running, databaseName);
    return {
      url,
      description: `the running embedded PostgreSQL on port ${port}`,
      embedded: true,
      stop: async () => {},
    };
  }
  const server = await startEmbeddedPostgres(dir, port, log);
  const url = await ensureDatabase(server.adminUrl, databaseName);
  return {
    url,
    description: `embedded PostgreSQL on port ${port}, data in ${dir}`,
    embedded: true,
    stop: server.stop,
  };
}
