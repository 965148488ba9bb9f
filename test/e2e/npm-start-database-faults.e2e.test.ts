import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase, withDatabase } from '@crh/testing';
import getPort from 'get-port';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, postEvents, printedToken, runCli, waitFor } from '../support/service-process.ts';

// `npm start` used to stop the whole platform when the database ended the
// projector's sessions. Now every service rides it out: the platform stays
// up, nothing is restarted, and what is posted afterwards is projected.
describe('crh start when the database ends every session', () => {
  let database: TestDatabase;
  let admin: pg.Pool;
  let dataDir = '';
  let cli: CliRun;
  let ports: { gateway: number; ingest: number; projector: number };

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = createPgPool(withDatabase(database.url, 'postgres'), {
      max: 1,
      applicationName: 'crh-test-admin',
    });
    dataDir = await mkdtemp(join(tmpdir(), 'crh-start-faults-'));
    ports = { gateway: await getPort(), ingest: await getPort(), projector: await getPort() };
    const { CRH_AUTH: _auth, CRH_AUTH_JWKS_URL: _idp, ...inherited } = process.env;
    cli = runCli(['start'], {
      ...inherited,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      CRH_DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports.gateway),
      INGEST_PORT: String(ports.ingest),
      PROJECTOR_PORT: String(ports.projector),
    });
    await cli.up();
  });
  afterAll(async () => {
    if (cli) {
      cli.interrupt();
      expect(await cli.exited).toBe(0);
    }
    await admin?.end();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stays up through terminated sessions and projects what comes after', async () => {
    const token = printedToken(cli.output(), 'admin token:');
    const bearer = `Bearer ${token}`;
    const name = new URL(database.url).pathname.slice(1);
    for (let round = 0; round < 3; round++) {
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
        [name],
      );
      expect(rowCount).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const customerId = `after-${randomUUID().slice(0, 8)}`;
    const posted = await waitFor(
      async () => {
        const response = await postEvents(`http://127.0.0.1:${ports.ingest}`, bearer, [
          {
            id: randomUUID(),
            type: 'CustomerOnboarded',
            customerId,
            occurredAt: '2026-01-02T09:00:00Z',
            data: { name: customerId, tier: 'strategic', accountManagerId: 'am-s' },
          },
        ]);
        return response.status === 200 ? true : undefined;
      },
      { what: 'ingest to take a post' },
    );
    expect(posted).toBe(true);
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: bearer },
          body: JSON.stringify({
            query: `{ relationship(customerId: "${customerId}", asOf: "2026-01-05") { status } }`,
          }),
        });
        const body = (await response.json()) as { data?: { relationship: { status: string } | null } };
        return body.data?.relationship?.status === 'ACTIVE' ? true : undefined;
      },
      { what: 'the new customer projected and served' },
    );
    expect((await fetch(`http://127.0.0.1:${ports.projector}/readyz`)).status).toBe(200);
    expect(cli.output()).not.toMatch(/exited \(|stopping the platform|Unhandled 'error' event/);
  });
});
