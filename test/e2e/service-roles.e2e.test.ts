import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { createTestDatabase, type TestDatabase, withDatabase } from '@crh/testing';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, waitFor } from '../support/service-process.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// `crh migrate` as the owner, then services that log in as their own roles:
// they start on a migrated schema without changing it, and one whose schema
// is behind stops with what to do instead of migrating. Roles are
// cluster-wide: this run's have a prefix of their own and are dropped after.
const prefix = `crh_e${randomBytes(5).toString('hex')}`;
const role = (service: string) => `${prefix}_${service}`;
const password = (service: string) => `pw${service}${randomBytes(4).toString('hex')}`;
const passwords = Object.fromEntries(
  ['ingest', 'projector', 'gateway', 'relay'].map((s) => [s, password(s)]),
);

function urlAs(url: string, service: string): string {
  const parsed = new URL(url);
  parsed.username = role(service);
  parsed.password = passwords[service]!;
  return parsed.toString();
}

function crh(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(root, 'services/cli/src/main.ts'), ...args], {
    env: { ...process.env, CRH_ENV_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code, output })));
}

describe('services under their own database roles', () => {
  let database: TestDatabase;
  let auth: TestAuth;
  let migrated: { code: number | null; output: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    auth = await openTestAuth();
    migrated = await crh(['migrate'], {
      DATABASE_URL: database.url,
      CRH_DB_ROLE_PREFIX: prefix,
      CRH_DB_INGEST_PASSWORD: passwords.ingest,
      CRH_DB_PROJECTOR_PASSWORD: passwords.projector,
      CRH_DB_GATEWAY_PASSWORD: passwords.gateway,
      CRH_DB_RELAY_PASSWORD: passwords.relay,
    });
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
    const cluster = new pg.Client({ connectionString: withDatabase(database.url, 'postgres') });
    await cluster.connect();
    try {
      for (const service of Object.keys(passwords))
        await cluster.query(`drop role if exists ${role(service)}`);
    } finally {
      await cluster.end();
    }
  });

  it('crh migrate migrates as the owner and sets up each role', async () => {
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.output).toContain(`ingest: role ${role('ingest')} granted what it needs (password set)`);
    expect(migrated.output).toContain(`relay: role ${role('relay')} granted what it needs (password set)`);
  });

  it('starts ingest as its role on the migrated schema, which it leaves as it is', async () => {
    const port = await getPort();
    const ingest = startService('ingest', {
      DATABASE_URL: urlAs(database.url, 'ingest'),
      HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
    });
    try {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), {
        what: 'ingest',
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${ingest.output()}`);
      });
      const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await auth.bearer('ingest') },
        body: JSON.stringify({
          events: [
            {
              id: crypto.randomUUID(),
              type: 'CustomerOnboarded',
              customerId: 'role-1',
              occurredAt: '2026-03-01T09:00:00Z',
              data: { name: 'Role One', tier: 'key', accountManagerId: 'am-1' },
            },
          ],
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    } finally {
      expect(await ingest.stop()).toBe(0);
    }
  });

  it('stops a service whose schema is behind, telling to run crh migrate, and migrates nothing', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // As if this version of crh brought a read-model migration not applied yet.
      await admin.query(`delete from crh.read_model_migrations where name = '006_blocked_customers'`);
      const projector = startService('projector', {
        DATABASE_URL: urlAs(database.url, 'projector'),
        HOST: '127.0.0.1',
        PROJECTOR_PORT: String(await getPort()),
        CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
      });
      const code = await new Promise<number | null>((done) => projector.child.once('exit', done));
      expect(code).toBe(1);
      expect(projector.output()).toContain('pending: crh.read_model_migrations 006_blocked_customers');
      expect(projector.output()).toContain(`database role "${role('projector')}" may not change the schema`);
      expect(projector.output()).toContain('crh migrate');
      const { rowCount } = await admin.query(
        `select 1 from crh.read_model_migrations where name = '006_blocked_customers'`,
      );
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
