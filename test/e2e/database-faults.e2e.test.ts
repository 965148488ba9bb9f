import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '@crh/embedded-postgres';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, withDatabase } from '@crh/testing';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { snapshot } from '../support/read-model-snapshot.ts';
import { type Platform, postEvents, startPlatform, waitFor } from '../support/service-process.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// What a PostgreSQL restart or failover does to the platform: every session
// ends at once (57P01), and for a while no new one is let in. Ingest,
// projector and gateway run as their own processes under a steady load of
// posts; afterwards every acknowledged event is in the log once and in the
// order it was acknowledged, the projector lives, said it was not ready
// while it had no database, caught up, and its read models are the ones a
// rebuild from the log gives.
describe('the platform when the database goes away', () => {
  it('rides out terminated sessions and a refused-connections outage', async () => {
    const database = await createTestDatabase();
    const admin = createPgPool(withDatabase(database.url, 'postgres'), {
      max: 1,
      applicationName: 'crh-test-admin',
    });
    const name = new URL(database.url).pathname.slice(1);
    const terminateAll = async () =>
      (await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]))
        .rowCount ?? 0;
    try {
      await underLoad(database.url, async (notReady) => {
        // Three restarts' worth of terminated sessions under load...
        for (let round = 0; round < 3; round++) {
          await pause(800);
          expect(await terminateAll()).toBeGreaterThan(0);
        }
        // ...and an outage: sessions ended and none let in for a while.
        await pause(800);
        await admin.query(`alter database ${name} allow_connections false`);
        await terminateAll();
        await notReady();
        await pause(2_000);
        await admin.query(`alter database ${name} allow_connections true`);
      });
    } finally {
      await admin.query(`alter database ${name} allow_connections true`).catch(() => undefined);
      await admin.end();
      await database.drop();
    }
  });

  it('rides out a restart of the PostgreSQL server', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'crh-restart-pg-'));
    const port = await getPort();
    const quiet = () => undefined;
    let server = await startEmbeddedPostgres(dataDir, port, quiet);
    try {
      const url = withDatabase(server.adminUrl, 'postgres');
      await underLoad(url, async (notReady) => {
        await pause(1_000);
        await server.stop(); // a fast shutdown: every session ended, connections refused
        await notReady();
        await pause(2_000);
        server = await startEmbeddedPostgres(dataDir, port, quiet);
      });
    } finally {
      await server.stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Starts the platform over `databaseUrl`, posts from three writers while
 * `fault` runs (it calls `notReady` once the database is unreachable: that
 * waits for the projector's 503), then checks everything the fault could
 * have broken, and stops the platform (each service exits 0).
 */
async function underLoad(databaseUrl: string, fault: (notReady: () => Promise<void>) => Promise<void>) {
  const platform = await startPlatform(databaseUrl);
  let codes: (number | null)[] = [];
  try {
    await faultUnderLoad(platform, fault);
  } catch (error) {
    const outputs = platform.services.map((s) => `--- ${s.name} ---\n${s.output().slice(-3000)}`);
    throw new Error(`${(error as Error).message}\n${outputs.join('\n')}`, { cause: error });
  } finally {
    codes = await platform.stop();
  }
  expect(codes).toEqual([0, 0, 0]);
}

async function faultUnderLoad(platform: Platform, fault: (notReady: () => Promise<void>) => Promise<void>) {
  const ingestToken = await platform.auth.bearer('ingest');
  const lead = await platform.auth.bearer('lead');
  const readyz = async () => {
    const response = await fetch(`${platform.projector}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const onboarding = (customerId: string) => ({
    id: randomUUID(),
    type: 'CustomerOnboarded',
    customerId,
    occurredAt: '2026-01-02T09:00:00Z',
    data: { name: customerId, tier: 'strategic', accountManagerId: 'am-f' },
  });
  const contact = (customerId: string, day: number) => ({
    id: randomUUID(),
    type: 'ContactLogged',
    customerId,
    occurredAt: `2026-01-${String(day).padStart(2, '0')}T10:00:00Z`,
    data: { channel: 'call', direction: 'outbound' },
  });
  const count = async () => {
    const response = await fetch(platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: lead },
      body: JSON.stringify({ query: '{ relationships(asOf: "2026-01-20", first: 1) { totalCount } }' }),
    });
    const body = (await response.json()) as { data?: { relationships: { totalCount: number } } };
    return body.data?.relationships.totalCount;
  };

  await waitFor(async () => ((await readyz()).status === 200 ? true : undefined), {
    what: 'projector ready',
  });

  // Three writers, each posting one after another: a new customer and a
  // contact of one of its earlier customers (late or not), so batches touch
  // customers the projector already holds.
  const acknowledged: string[][] = [[], [], []];
  let refused = 0;
  let loading = true;
  const writers = acknowledged.map(async (acked, w) => {
    const customers: string[] = [];
    for (let n = 0; loading; n++) {
      const customer = `f-${w}-${n}`;
      const events: { id: string }[] = [onboarding(customer)];
      if (customers.length > 0) events.push(contact(customers[n % customers.length]!, 3 + (n % 15)));
      customers.push(customer);
      const status = await postEvents(platform.ingest, ingestToken, events).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) acked.push(...events.map((e) => e.id));
      else {
        refused++;
        await pause(50);
      }
    }
  });

  let down: Record<string, unknown> | undefined;
  await fault(async () => {
    down = (
      await waitFor(
        async () => {
          const probe = await readyz();
          return probe.status === 503 ? probe : undefined;
        },
        { timeoutMs: 10_000, what: 'the projector to report not ready without its database' },
      )
    ).body;
  });
  await pause(1_500);
  loading = false;
  await Promise.all(writers);
  expect(down).toMatchObject({ ready: false, database: 'unreachable' });

  const acked = acknowledged.flat();
  expect(acked.length).toBeGreaterThan(50);
  expect(refused, 'the outage refused some posts').toBeGreaterThan(0);

  const pool = createPgPool(platform.databaseUrl, { max: 2, applicationName: 'crh-test-check' });
  try {
    // Every acknowledged event is in the log once, in each writer's order.
    const { rows } = await pool.query<{ id: string }>('select id from crh.events order by tx_id, position');
    const at = new Map<string, number>();
    for (const [i, row] of rows.entries()) {
      expect(at.has(row.id), `event ${row.id} twice in the log`).toBe(false);
      at.set(row.id, i);
    }
    for (const writer of acknowledged) {
      const positions = writer.map((id) => at.get(id));
      expect(positions.filter((p) => p === undefined).length, 'acknowledged events missing').toBe(0);
      for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
    }

    // The projector survived, catches up and says so.
    const projector = platform.services.find((s) => s.name === 'projector')!;
    expect(projector.child.exitCode, projector.output().slice(-2000)).toBeNull();
    expect(projector.output()).not.toMatch(/Unhandled 'error' event/);
    const up = await waitFor(
      async () => {
        const probe = await readyz();
        return probe.status === 200 && (probe.body.lag as { events: number }).events === 0
          ? probe
          : undefined;
      },
      { timeoutMs: 60_000, what: 'the projector caught up' },
    );
    // A session cut mid-batch fails the batch for a retry: it parks nothing, blocks nobody.
    expect(up.body).toMatchObject({
      ready: true,
      database: 'reachable',
      head: up.body.checkpoint,
      parked: 0,
      blockedCustomers: 0,
    });
    expect(projector.output()).toMatch(
      /taking them again from their checkpoints|retrying from the checkpoints/,
    );
    const metrics = await fetch(`${platform.projector}/metrics`, {
      headers: { authorization: await platform.auth.bearer('admin') },
    });
    const text = await metrics.text();
    expect(text).toMatch(/^crh_projection_lag_events{service="projector"} 0$/m);
    expect(text).toMatch(/^crh_projection_lag_seconds{service="projector"} 0$/m);
    expect(text).toMatch(/^crh_parked_events{service="projector"} 0$/m);
    expect(text).toMatch(/^crh_blocked_customers{service="projector"} 0$/m);

    // The gateway answers from the read models again: one relationship per onboarded customer.
    const { rows: onboarded } = await pool.query<{ n: number }>(
      `select count(*)::int as n from crh.events where type = 'CustomerOnboarded'`,
    );
    await waitFor(async () => ((await count()) === onboarded[0]!.n ? true : undefined), {
      what: `${onboarded[0]!.n} relationships from the gateway`,
    });

    // The read models equal a rebuild from the log, row for row.
    const live = await snapshot(pool);
    expect(live['crh.rm_relationship_intervals']!.length).toBeGreaterThan(acked.length / 4);
    const rebuild = spawn(process.execPath, [join(root, 'services/cli/src/main.ts'), 'rebuild'], {
      env: {
        ...process.env,
        DATABASE_URL: platform.databaseUrl,
        CRH_DATA_DIR: platform.dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    rebuild.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise<number | null>((done) => rebuild.once('exit', done)), output).toBe(0);
    expect(output).toMatch(/done: \d+ events of \d+ customers/);
    expect(await snapshot(pool)).toEqual(live);
  } finally {
    await pool.end();
  }
}
