import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { describe, expect, it } from 'vitest';
import { databaseDump } from '../support/database-dump.ts';
import { usePlatform } from '../support/platform-context.ts';
import { postEvents } from '../support/service-process.ts';

// A log written by a version before sealing, converted by `crh encrypt-existing`
// while the platform runs and takes events (docs/erasure.md).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('crh encrypt-existing while the platform runs', () => {
  const ctx = usePlatform();

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
    const old = createPostgresEventStore({ pool: ctx.db });
    await old.append(legacy);
    const analyst = await ctx.platform.auth.bearer('analyst');
    const replay = async () =>
      (
        await (
          await fetch(`${ctx.platform.ingest}/v1/events`, { headers: { authorization: analyst } })
        ).text()
      )
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
        env: { ...process.env, DATABASE_URL: ctx.url, CRH_DATA_DIR: ctx.platform.dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => cli.once('exit', done));
    const ingest = await ctx.platform.auth.bearer('ingest');
    let posted = 0;
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      const response = await postEvents(ctx.platform.ingest, ingest, [
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

    const dump = await databaseDump(ctx.db, ctx.url, 'crh.events');
    expect(dump).toContain('"direction": "outbound"'); // the events are in it, their plain fields readable
    expect(dump).not.toContain(`Plaintext-${tag}`);
    expect(dump).not.toContain(`Operator-${tag}`);
    expect(dump).not.toContain(`New-${tag}`);
    expect(await replay()).toEqual(before);
  });
});
