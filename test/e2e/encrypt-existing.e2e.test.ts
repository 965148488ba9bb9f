import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createTestDatabase } from '@crh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, postEvents, startPlatform } from '../support/service-process.ts';

// A log written by a version before sealing, converted by `crh encrypt-existing`
// while the platform runs and takes events (docs/erasure.md).

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** crh.events as text: pg_dump of the table where this machine can dump the server, else its rows. */
async function dumpOfEvents(db: pg.Pool, url: string): Promise<string> {
  try {
    return (await run('pg_dump', ['--no-owner', '--table=crh.events', url], { maxBuffer: 256 * 1024 * 1024 }))
      .stdout;
  } catch (error) {
    console.log(
      `pg_dump could not dump the test database (${(error as Error).message.split('\n')[0]}): the rows are read instead`,
    );
    const { rows } = await db.query<{ row: string }>('select t::text as row from crh.events t');
    return rows.map((r) => r.row).join('\n');
  }
}

describe('crh encrypt-existing while the platform runs', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let db: pg.Pool;
  let url: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    url = database.url;
    drop = database.drop;
    db = new pg.Pool({ connectionString: database.url, max: 3 });
    platform = await startPlatform(database.url);
  });
  afterAll(async () => {
    const codes = await platform?.stop();
    await db?.end();
    await drop?.();
    expect(codes).toEqual([0, 0, 0]);
  });

  it('seals every plaintext personal field in place, reads the same before and after, and takes events meanwhile', async () => {
    const tag = randomBytes(4).toString('hex');
    // What a version before sealing stored: plaintext, appended straight to the log.
    const legacy = Array.from({ length: 120 }, (_, i) => ({
      id: randomUUID(),
      type: 'ContactLogged',
      customerId: `legacy-${tag}-${i % 40}`,
      occurredAt: `2026-02-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000Z`,
      data: { channel: 'call', direction: 'outbound', summary: `Plaintext-${tag} note ${i}` },
      ...(i % 3 === 0 ? { metadata: { operator: `Operator-${tag}` } } : {}),
    }));
    const old = createPostgresEventStore({ pool: db });
    await old.append(legacy);
    const analyst = await platform.auth.bearer('analyst');
    const replay = async () =>
      (await (await fetch(`${platform.ingest}/v1/events`, { headers: { authorization: analyst } })).text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; data: unknown; metadata?: unknown })
        .filter((e) => e.id && legacy.some((l) => l.id === e.id));
    const before = await replay();
    expect(before.map((e) => e.data)).toEqual(legacy.map((e) => e.data));

    // The command runs while ingest takes new events.
    const cli = spawn(
      process.execPath,
      [join(root, 'services/cli/src/main.ts'), 'encrypt-existing', '--batch', '25'],
      {
        env: { ...process.env, DATABASE_URL: url, CRH_DATA_DIR: platform.dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => cli.once('exit', done));
    const ingest = await platform.auth.bearer('ingest');
    let posted = 0;
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      const response = await postEvents(platform.ingest, ingest, [
        {
          id: randomUUID(),
          type: 'ContactLogged',
          customerId: `legacy-${tag}-${posted % 40}`,
          occurredAt: '2026-03-01T10:00:00Z',
          data: { channel: 'email', direction: 'inbound', summary: `New-${tag} ${posted}` },
        },
      ]);
      expect(response.status).toBe(200);
      posted++;
    }
    expect(await exited, output).toBe(0);
    expect(output).toMatch(/done in [\d.]+ s: 120 event\(s\) sealed/);
    expect(posted).toBeGreaterThan(0);

    const dump = await dumpOfEvents(db, url);
    expect(dump).toContain('"direction": "outbound"'); // the events are in it, their plain fields readable
    expect(dump).not.toContain(`Plaintext-${tag}`);
    expect(dump).not.toContain(`Operator-${tag}`);
    expect(dump).not.toContain(`New-${tag}`);
    expect(await replay()).toEqual(before);
  });
});
