import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@crh/messaging/kafka';
import { createTestDatabase, quietLogger } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Platform, startPlatform, waitFor } from '../support/service-process.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `crh replay <args>`: its exit code and what it printed. */
function crhReplay(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; output: string }>;
} {
  const child = spawn(process.execPath, [join(root, 'packages/cli/src/main.ts'), 'replay', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, done: new Promise((r) => child.once('exit', (code) => r({ code, output }))) };
}

// Data teams' CLI against a real ingest process and PostgreSQL log (and the
// run's Kafka broker): to a file with a checkpoint, killed and resumed, and
// into a topic.
describe('crh replay', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let dir: string;
  const customer = `cli-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    dir = await mkdtemp(join(tmpdir(), 'crh-replay-'));
    platform = await startPlatform(database.url);
    // 30,000 events of one customer, posted 1,000 at a time.
    for (let b = 0; b < 30; b++) {
      const events = Array.from({ length: 1000 }, (_, i) => ({
        id: randomUUID(),
        type: b === 0 && i === 0 ? 'CustomerOnboarded' : 'ContactLogged',
        customerId: customer,
        occurredAt: '2026-03-01T10:00:00Z',
        data:
          b === 0 && i === 0
            ? { name: 'CLI', accountManagerId: 'am-1' }
            : { channel: 'call', direction: 'outbound' },
      }));
      ids.push(...events.map((e) => e.id));
      const response = await fetch(`${platform.ingest}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      expect(response.status).toBe(200);
    }
  });
  afterAll(async () => {
    await platform?.stop();
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  const linesOf = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { id: string; revision: number; customerId: string });

  it('writes a file, is killed mid-way, and resumed from its checkpoint writes each event exactly once', async () => {
    const out = join(dir, 'events.ndjson');
    const checkpoint = join(dir, 'replay.checkpoint.json');
    const args = [
      '--url',
      platform.ingest,
      '--customer',
      customer,
      '--out',
      out,
      '--checkpoint',
      checkpoint,
      '--batch',
      '200',
    ];
    const first = crhReplay(args);
    // Kill it (no clean shutdown) once it has checkpointed some batches but not all.
    await waitFor(
      async () => {
        const stored = JSON.parse(await readFile(checkpoint, 'utf8')) as { lines: number; done: boolean };
        return stored.lines >= 2_000 && !stored.done ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5, what: 'a checkpoint part-way' },
    );
    first.child.kill('SIGKILL');
    await first.done;
    const stored = JSON.parse(await readFile(checkpoint, 'utf8')) as { lines: number; done: boolean };
    expect(stored.done).toBe(false);
    expect(stored.lines).toBeLessThan(30_000);
    // A torn write after the last checkpoint: the resume must cut it away.
    await appendFile(out, '{"id":"torn');
    const second = await crhReplay(args).done;
    expect(second.code, second.output).toBe(0);
    const lines = await linesOf(out);
    expect(lines.map((l) => l.id)).toEqual(ids);
    expect(lines.map((l) => l.revision)).toEqual(ids.map((_, i) => i));
    const again = await crhReplay(args).done;
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/already complete/);
  });

  it('sends the events to a Kafka topic, keyed by customer, with type and position headers', async () => {
    const topic = `crh.replay.test-${randomUUID().slice(0, 8)}`;
    const brokers = inject('kafkaBrokers');
    const run = await crhReplay([
      '--url',
      platform.ingest,
      '--customer',
      customer,
      '--types',
      'CustomerOnboarded',
      '--limit',
      '1',
      '--topic',
      topic,
      '--brokers',
      brokers,
      '--partitions',
      '3',
    ]).done;
    expect(run.code, run.output).toBe(0);
    const kafka = createKafkaClient({
      brokers: brokers.split(','),
      clientId: 'replay-test',
      logger: quietLogger,
    });
    const consumer = kafka.consumer({ groupId: `replay-test-${randomUUID()}` });
    const got: { key: string; type: string; position: string; id: string }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push({
            key: message.key!.toString(),
            type: message.headers!.type!.toString(),
            position: message.headers!.position!.toString(),
            id: (JSON.parse(message.value!.toString()) as { id: string }).id,
          });
        },
      });
      await waitFor(async () => (got.length >= 1 ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the replayed message',
      });
    } finally {
      await consumer.disconnect();
    }
    expect(got).toEqual([
      {
        key: customer,
        type: 'CustomerOnboarded',
        position: expect.stringMatching(/^[0-9a-f]{32}$/),
        id: ids[0],
      },
    ]);
  });

  it('reports a filter the server refuses and exits 2', async () => {
    const run = await crhReplay(['--url', platform.ingest, '--types', 'ContactLoged', '--quiet']).done;
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/unknown event type\(s\): ContactLoged/);
  });
});
