import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestAuth } from '@crh/auth/testing';
import type { AppendEvent } from '@crh/event-store';
import { createPostgresEventStore, type PostgresEventStore } from '@crh/event-store/postgres';
import { type LocalKafka, startLocalKafka } from '@crh/local-kafka';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase, testEvent } from '@crh/testing';
import getPort from 'get-port';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsByKey, readTopic } from '../support/relay-topic.ts';
import { type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

// The relay process copies the log while its broker is stopped and started
// again on the same address and data: afterwards the topic holds every
// event once, each customer's in log order.
describe('relay across a broker restart', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataDir: string;
  let broker: LocalKafka | undefined;
  let relay: ServiceProcess | undefined;
  let ports: { port: number; controllerPort: number };
  const topic = `crh.events.test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crh-relay-restart-'));
    const port = await getPort({ host: '127.0.0.1' });
    ports = { port, controllerPort: await getPort({ host: '127.0.0.1', exclude: [port] }) };
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 4 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    await store.migrate();
    broker = await startLocalKafka({ dataDir, ...ports });
  });

  afterAll(async () => {
    const code = await relay?.stop();
    await broker?.stop();
    await store?.close();
    await pool?.end();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  const events = (count: number, prefix: string): AppendEvent[] =>
    Array.from({ length: count }, (_, i) =>
      testEvent(`${prefix}-${(i * 7919) % 97}`, 'ContactLogged', '2026-03-02T10:15:00Z', {
        channel: 'call',
        direction: 'outbound',
      }),
    );
  const checkpoint = async () =>
    (
      await pool.query<{ position: string }>('select position from crh.relay_checkpoints where topic = $1', [
        topic,
      ])
    ).rows[0]?.position;

  it('holds each event of the log exactly once per key, in order', async () => {
    for (let i = 0; i < 4; i++) await store.append(events(500, `c${i}`));
    const auth = await openTestAuth();
    const relayPort = await getPort();
    relay = startService('relay', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      CRH_DATA_DIR: join(auth.settings.localKeyDir, '..'),
      KAFKA_BROKERS: `127.0.0.1:${ports.port}`,
      RELAY_TOPIC: topic,
      RELAY_PARTITIONS: '6',
      RELAY_BATCH_SIZE: '50',
      RELAY_PORT: String(relayPort),
    });
    // Events keep arriving throughout, before, during and after the outage.
    let appending = true;
    const appender = (async () => {
      for (let n = 0; appending; n++) {
        await store.append(events(50, `live${n}`));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await waitFor(async () => ((await checkpoint()) ? true : undefined), { what: 'the first relayed batch' });
    const [relayedAtStop, headAtStop] = [await checkpoint(), await store.headPosition()];
    await broker!.stop();
    // Long enough (with the broker's own start) that the producer's retries
    // run out and the relay starts a new session from its checkpoint.
    await new Promise((r) => setTimeout(r, 8_000));
    broker = await startLocalKafka({ dataDir, ...ports });
    await new Promise((r) => setTimeout(r, 2_000));
    appending = false;
    await appender;

    const log = await store.readAll({ limit: 1_000_000 });
    const head = log.at(-1)!.position;
    await waitFor(async () => ((await checkpoint()) === head ? true : undefined), {
      timeoutMs: 90_000,
      what: 'the relay to catch up',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${relay!.output().slice(-3000)}`);
    });

    // The outage came mid-relay, and the relay noticed it.
    // (Positions are fixed-width strings: their order is the log's.)
    expect(relayedAtStop! < headAtStop!).toBe(true);
    expect(relay.output()).toContain('ECONNREFUSED');
    expect(relay.output()).toContain('relay failed; retrying from checkpoint');

    const messages = await readTopic([`127.0.0.1:${ports.port}`], topic);
    expect(messages).toHaveLength(log.length);
    expect(idsByKey(messages)).toEqual(idsByKey(log.map((e) => ({ key: e.customerId, id: e.id }))));
  });
});
