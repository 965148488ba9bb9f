import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '@crh/messaging/kafka';
import { createTestDatabase, quietLogger, runKafkaBrokers } from '@crh/testing';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, postEvents, startPlatform, waitFor } from '../support/service-process.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The platform's data dir (its local key is in `auth/` there), as `crh start` would give its services. */
let platformDataDir: string;

/**
 * `crh replay <args>` as its own process, run as from the clone the platform
 * runs from (CRH_DATA_DIR is the platform's, so it finds the local key): the
 * child, and its exit code with everything it printed.
 */
function crhReplay(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; output: string }>;
} {
  const { CRH_TOKEN: _token, CRH_AUTH_JWKS_URL: _jwks, CRH_AUTH: _auth, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(root, 'services/cli/src/main.ts'), 'replay', ...args], {
    env: { ...inherited, LOG_LEVEL: 'warn', CRH_DATA_DIR: platformDataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, done: new Promise((r) => child.once('exit', (code) => r({ code, output }))) };
}

interface Envelope {
  id: string;
  type: string;
  customerId: string;
  position: string;
  revision: number;
}

// The data teams' CLI against a real ingest process over a PostgreSQL log
// (and the run's Kafka broker): to a file with a checkpoint, killed and
// resumed; into a topic; a refused filter.
describe('crh replay', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let dir: string;
  const customer = `cli-${randomUUID().slice(0, 8)}`;
  const other = `cli-other-${randomUUID().slice(0, 8)}`;
  /** Ids of `customer`'s events in the order posted. */
  const ids: string[] = [];
  /** An analyst's Authorization header, for reading the API directly. */
  let analyst: string;
  const replayApi = (path: string) =>
    fetch(`${platform.ingest}${path}`, { headers: { authorization: analyst } });

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    dir = await mkdtemp(join(tmpdir(), 'crh-replay-'));
    platform = await startPlatform(database.url);
    platformDataDir = dirname(platform.auth.settings.localKeyDir);
    analyst = await platform.auth.bearer('analyst');
    const feeder = await platform.auth.bearer('ingest');
    // 30,000 events of one customer, with 30 of another in between (which a
    // --customer replay must leave out), posted 1,000 at a time.
    const post = async (customerId: string, count: number, onboard: boolean) => {
      const events = Array.from({ length: count }, (_, i) => ({
        id: randomUUID(),
        type: onboard && i === 0 ? 'CustomerOnboarded' : 'ContactLogged',
        customerId,
        occurredAt: '2026-03-01T10:00:00Z',
        data:
          onboard && i === 0
            ? { name: 'CLI', accountManagerId: 'am-1' }
            : { channel: 'call', direction: 'outbound' },
      }));
      expect((await postEvents(platform.ingest, feeder, events)).status).toBe(200);
      return events.map((e) => e.id);
    };
    for (let b = 0; b < 30; b++) {
      ids.push(...(await post(customer, 1000, b === 0)));
      await post(other, 1, b === 0);
    }
  });
  afterAll(async () => {
    await platform?.stop();
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  const readCheckpoint = async (path: string) =>
    JSON.parse(await readFile(path, 'utf8')) as { lines: number; done: boolean; after: string };

  it('writes a file, is killed mid-way, and resumed from its checkpoint writes each event exactly once', async () => {
    const out = join(dir, 'events.ndjson');
    const checkpoint = join(dir, 'replay.checkpoint.json');
    // Small batches: many checkpoints, and a replay slow enough to kill part-way.
    const args = ['--url', platform.ingest, '--customer', customer];
    const fileArgs = [...args, '--out', out, '--checkpoint', checkpoint, '--batch', '50'];
    const first = crhReplay(fileArgs);
    await waitFor(
      async () => {
        const stored = await readCheckpoint(checkpoint);
        return stored.lines >= 1_000 && !stored.done ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 5, what: 'a checkpoint part-way' },
    ).catch(async (error: Error) => {
      first.child.kill('SIGKILL');
      throw new Error(`${error.message}\n--- crh replay ---\n${(await first.done).output}`);
    });
    first.child.kill('SIGKILL'); // no clean shutdown
    await first.done;
    const stored = await readCheckpoint(checkpoint);
    expect(stored.done).toBe(false);
    expect(stored.lines).toBeLessThan(30_000);
    // A torn write after the last checkpoint: the resume must cut it away.
    await appendFile(out, '{"id":"torn');

    const differentFilters = await crhReplay([...fileArgs, '--types', 'ContactLogged']).done;
    expect(differentFilters.code).toBe(2);
    expect(differentFilters.output).toMatch(/other filters[\s\S]*types: checkpoint \(none\)/);

    const second = await crhReplay(fileArgs).done;
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/replayed [\d,]+ events .* resumed after [\d,]+, 30,000 in all/);
    // Byte for byte what the API gives for that customer, every event once, in order.
    const file = await readFile(out, 'utf8');
    expect(file).toBe(await (await replayApi(`/v1/events?customerId=${customer}`)).text());
    const lines = file
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Envelope);
    expect(lines.map((l) => l.id)).toEqual(ids);
    expect(lines.map((l) => l.revision)).toEqual(ids.map((_, i) => i));
    expect((await readCheckpoint(checkpoint)).done).toBe(true);

    const again = await crhReplay(fileArgs).done;
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/already complete/);
  });

  it('sends the events to a Kafka topic, each once, keyed by customer, with type and position headers', async () => {
    const topic = `crh.replay.test-${randomUUID().slice(0, 8)}`;
    const brokers = runKafkaBrokers().join(',');
    const run = await crhReplay([
      '--url',
      platform.ingest,
      '--from',
      '2026-03-01T11:00:00+01:00', // = 10:00Z: every event
      '--limit',
      '5000',
      '--topic',
      topic,
      '--brokers',
      brokers,
      '--partitions',
      '3',
    ]).done;
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/replayed 5,000 events .* to Kafka topic/);
    const expected = (await (await replayApi('/v1/events?limit=5000')).text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Envelope);

    const kafka = createKafkaClient({
      brokers: brokers.split(','),
      clientId: 'replay-test',
      logger: quietLogger,
    });
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] }).finally(() => admin.disconnect());
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const consumer = kafka.consumer({ groupId: `replay-test-${randomUUID()}` });
    const got: { partition: number; key: string; type: string; position: string; value: Envelope }[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({
            partition,
            key: message.key!.toString(),
            type: message.headers!.type!.toString(),
            position: message.headers!.position!.toString(),
            value: JSON.parse(message.value!.toString()) as Envelope,
          });
        },
      });
      await waitFor(async () => (got.length >= expected.length ? true : undefined), {
        timeoutMs: 60_000,
        what: 'every replayed message',
      });
      await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    } finally {
      await consumer.disconnect();
    }
    expect(got).toHaveLength(expected.length);
    for (const message of got) {
      expect(message.key).toBe(message.value.customerId);
      expect(message.type).toBe(message.value.type);
      expect(message.position).toBe(message.value.position);
    }
    // Each event once; within a customer (one partition) in log order.
    const byPosition = [...got].sort((a, b) => (a.position < b.position ? -1 : 1));
    expect(byPosition.map((m) => m.value.id)).toEqual(expected.map((e) => e.id));
    for (const key of [customer, other]) {
      const positions = got.filter((m) => m.key === key).map((m) => m.position);
      expect(positions).toEqual([...positions].sort());
      expect(new Set(got.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
  });

  it('prints the problems of a filter the server refuses, and of an unknown option, exiting 2', async () => {
    const refused = await crhReplay(['--url', platform.ingest, '--types', 'ContactLoged', '--quiet']).done;
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/types: unknown event type\(s\): ContactLoged/);
    const unknown = await crhReplay(['--url', platform.ingest, '--customr', customer]).done;
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/unknown option '--customr'[\s\S]*usage: crh replay/i);
  });

  it('sends --token, else CRH_TOKEN, else an analyst token of the local key; a refused one is one line and exit 3', async () => {
    const replayOne = ['--url', platform.ingest, '--customer', customer, '--limit', '1', '--quiet'];
    const elsewhere = await mkdtemp(join(tmpdir(), 'crh-replay-elsewhere-'));
    try {
      // A token given explicitly needs no local key.
      const given = await crhReplay([...replayOne, '--token', await platform.auth.token('analyst')], {
        CRH_DATA_DIR: elsewhere,
      }).done;
      expect(given.code, given.output).toBe(0);
      expect(JSON.parse(given.output.trim()).id).toBe(ids[0]);
      const fromEnv = await crhReplay(replayOne, {
        CRH_DATA_DIR: elsewhere,
        CRH_TOKEN: await platform.auth.bearer('admin'),
      }).done;
      expect(fromEnv.code, fromEnv.output).toBe(0);

      // No token to be had: a usage error, saying what to give.
      const noKey = await crhReplay(replayOne, { CRH_DATA_DIR: elsewhere }).done;
      expect(noKey.code).toBe(2);
      expect(noKey.output.trim()).toMatch(
        /^crh replay: no local key in .*: give a token with --token or CRH_TOKEN$/,
      );
      const withIdp = await crhReplay(replayOne, { CRH_AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks' }).done;
      expect(withIdp.code).toBe(2);
      expect(withIdp.output).toMatch(
        /identity provider \(CRH_AUTH_JWKS_URL\): give one with --token or CRH_TOKEN/,
      );
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }

    // Refused: one line each, exit 3, and never the token.
    const feeder = await platform.auth.token('ingest');
    const forbidden = await crhReplay([...replayOne, '--token', feeder]).done;
    expect(forbidden.code).toBe(3);
    expect(forbidden.output.trim().split('\n')).toHaveLength(1);
    expect(forbidden.output).toMatch(
      /^crh replay: ingest refused the token \(403: .*events:replay.*\); replaying needs a token with the analyst or admin role/,
    );
    const expired = await platform.auth.token('analyst', { ttl: '-5m' });
    const unauthenticated = await crhReplay(replayOne, { CRH_TOKEN: expired }).done;
    expect(unauthenticated.code).toBe(3);
    expect(unauthenticated.output.trim()).toBe(
      'crh replay: ingest refused the token (401: token expired); the token came from CRH_TOKEN; give a valid one with --token or CRH_TOKEN',
    );
    for (const token of [feeder, expired])
      expect(forbidden.output + unauthenticated.output).not.toContain(token);
  });

  it('says so in one line when ingest is not there, exiting 1', async () => {
    const url = `http://127.0.0.1:${await getPort()}`;
    const run = await crhReplay(['--url', url]).done;
    expect(run.code).toBe(1);
    expect(run.output.trim()).toMatch(
      new RegExp(`^crh replay: cannot reach ingest at ${url} \\(ECONNREFUSED\\)`),
    );
    expect(run.output.trim().split('\n')).toHaveLength(1);
  });
});
