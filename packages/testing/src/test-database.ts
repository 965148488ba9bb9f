import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runPgAdminUrl } from './run-context.ts';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the run's server, so test files never see each
 * other's data (they run in parallel). Call `drop()` in afterAll; it
 * disconnects anything still connected.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = runPgAdminUrl();
  const name = `crh_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`create database ${name}`);
        return;
      } catch (error) {
        // 55006: template1 busy (someone is connected to it); it clears quickly.
        if ((error as { code?: string }).code !== '55006' || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return {
    url: withDatabase(adminUrl, name),
    drop: () => withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
