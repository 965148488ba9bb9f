import { randomBytes, randomUUID } from 'node:crypto';
import { type AppendEvent, type RecordedEvent, toEnvelope } from '@crh/event-store';
import {
  CustomerKeys,
  createSealedEnvelopeReader,
  createSealingEventStore,
  masterKeyOf,
  migrateCustomerKeys,
  type SealedEnvelope,
} from '@crh/event-store/encryption';
import { createPostgresEventStore, type PostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, quietLogger, runKafkaBrokers, type TestDatabase, testEvent } from '@crh/testing';
import kafkajs, { type Kafka } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay, type RelayDeps } from './relay.ts';
import { migrateRelayCheckpoints } from './relay-checkpoint.ts';
import { customerPartitioner } from './relay-message.ts';
import { relayMessageSchema } from './relay-message-schema.ts';

interface Consumed {
  partition: number;
  offset: string;
  key: string;
  value: Record<string, unknown>;
  headers: Record<string, string>;
  timestamp: string;
}

const kafka: Kafka = new kafkajs.Kafka({
  clientId: 'crh-relay-test',
  brokers: runKafkaBrokers(),
  logLevel: kafkajs.logLevel.ERROR,
});
const uniqueTopic = () => `crh.events.v1.test-${randomUUID().slice(0, 8)}`;

/** A fresh database with the event store, per describe block. */
function useStore() {
  const context = {} as { database: TestDatabase; pool: pg.Pool; store: PostgresEventStore };
  beforeAll(async () => {
    context.database = await createTestDatabase();
    context.pool = createPgPool(context.database.url, { max: 8 });
    context.store = createPostgresEventStore({ pool: context.pool, pollIntervalMs: 50 });
    await context.store.migrate();
    await migrateRelayCheckpoints(context.pool);
  });
  afterAll(async () => {
    await context.store.close();
    await context.pool.end();
    await context.database.drop();
  });
  return context;
}

/** `count` events spread over `customers` customers in a shuffled order. */
function someEvents(count: number, customers: number, prefix: string): AppendEvent[] {
  const channels = ['call', 'email', 'meeting', 'visit'];
  return Array.from({ length: count }, (_, i) => {
    const customer = `${prefix}-${(i * 7919) % customers}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    return testEvent(
      customer,
      'ContactLogged',
      `2026-03-${day}T10:15:00Z`,
      { channel: channels[i % channels.length], direction: 'outbound' },
      i % 3 === 0 ? `am-${i % 5}` : undefined,
    );
  });
}

async function appendAll(store: PostgresEventStore, events: readonly AppendEvent[], size = 500) {
  for (let i = 0; i < events.length; i += size) await store.append(events.slice(i, i + size));
}

async function wholeLog(store: PostgresEventStore): Promise<RecordedEvent[]> {
  return store.readAll({ limit: 1_000_000 });
}

/** Every message of the topic, read from the beginning by a consumer of a new group. */
async function readTopic(topic: string): Promise<Consumed[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  const messages: Consumed[] = [];
  if (total === 0) return messages;
  const consumer = kafka.consumer({ groupId: `crh-relay-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            messages.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              value: JSON.parse(message.value?.toString() ?? 'null'),
              headers,
              timestamp: message.timestamp,
            });
            if (messages.length === total) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/**
 * What a data team must be able to rely on: every event exactly once, and a
 * customer's events in one partition, in revision order.
 */
function expectExactCopy(messages: readonly Consumed[], log: readonly RecordedEvent[]) {
  const ids = messages.map((m) => m.headers.id);
  expect(new Set(ids).size).toBe(ids.length); // no duplicates
  expect(new Set(ids)).toEqual(new Set(log.map((e) => e.id))); // no loss
  const byPartition = new Map<number, Consumed[]>();
  for (const m of messages) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
  const revisions = new Map<string, number[]>();
  const partitionOfCustomer = new Map<string, number>();
  for (const [partition, inPartition] of byPartition) {
    inPartition.sort((a, b) => Number(a.offset) - Number(b.offset));
    for (const m of inPartition) {
      expect(partitionOfCustomer.get(m.key) ?? partition).toBe(partition);
      partitionOfCustomer.set(m.key, partition);
      revisions.set(m.key, [...(revisions.get(m.key) ?? []), m.value.revision as number]);
    }
  }
  for (const [customer, seen] of revisions) {
    expect(seen, customer).toEqual(seen.map((_, i) => i));
  }
}

describe('relay: the log copied to Kafka', () => {
  const context = useStore();
  const topic = uniqueTopic();
  let relay: Relay;

  beforeAll(async () => {
    await appendAll(context.store, someEvents(5000, 200, 'cust'));
    relay = createRelay({
      store: context.store,
      pool: context.pool,
      kafka,
      topic,
      partitions: 6,
      batchSize: 1000,
      logger: quietLogger,
    });
  });

  it('reports the whole log as its lag before it relayed anything, the oldest event waiting longest', async () => {
    const lag = await relay.lag();
    expect(lag.events).toBe(5000);
    const [first] = await context.store.readAll({ after: null, limit: 1 });
    expect(lag.seconds).toBeGreaterThanOrEqual((Date.now() - Date.parse(first!.recordedAt)) / 1000 - 5);
  });

  it('sends every event once, keyed by customer, with the stored envelope and headers', async () => {
    expect(await relay.catchUp()).toBe(5000);
    expect(await relay.lag()).toEqual({ events: 0, seconds: 0 });
    const log = await wholeLog(context.store);
    const messages = await readTopic(topic);
    expect(messages).toHaveLength(5000);
    expectExactCopy(messages, log);

    const byId = new Map(log.map((e) => [e.id, e]));
    const partitionOf = customerPartitioner(6);
    for (const m of messages) {
      const event = byId.get(m.headers.id!)!;
      expect(m.key).toBe(event.customerId);
      expect(m.value).toEqual(JSON.parse(JSON.stringify(toEnvelope(event))));
      expect(m.headers).toEqual({
        type: event.type,
        position: event.position,
        id: event.id,
        occurredAt: event.occurredAt,
      });
      expect(m.timestamp).toBe(String(Date.parse(event.recordedAt)));
      expect(m.partition).toBe(partitionOf(event.customerId));
    }
    expect(await relay.checkpoint()).toBe(log.at(-1)!.position);
  });

  it('creates the topic with unlimited retention and the configured partitions', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]!.partitions).toHaveLength(6);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'],
          },
        ],
      });
      const config = Object.fromEntries(
        resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
      );
      expect(config).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
    } finally {
      await admin.disconnect();
    }
  });

  it('sends nothing again when caught up', async () => {
    expect(await relay.catchUp()).toBe(0);
    expect(await readTopic(topic)).toHaveLength(5000);
  });
});

describe('relay: restarts repeat nothing', () => {
  const context = useStore();
  const topic = uniqueTopic();
  const relayWith = (overrides: Partial<RelayDeps> = {}) =>
    createRelay({
      store: context.store,
      pool: context.pool,
      kafka,
      topic,
      partitions: 4,
      batchSize: 300,
      logger: quietLogger,
      ...overrides,
    });
  const setCheckpoint = (position: string | null) =>
    position === null
      ? context.pool.query('delete from crh.relay_checkpoints where topic = $1', [topic])
      : context.pool.query('update crh.relay_checkpoints set position = $2 where topic = $1', [
          topic,
          position,
        ]);

  it('stops mid-stream, loses its checkpoint after sending, and still copies each event once', async () => {
    await appendAll(context.store, someEvents(2000, 150, 'early'));
    // Appends go on while the relays start and stop.
    const live = someEvents(3000, 150, 'live');
    let appended = 0;
    const appending = (async () => {
      for (; appended < live.length; appended += 100) {
        await context.store.append(live.slice(appended, appended + 100));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // 1. A relay following the log is stopped once it has sent part of it.
    let sent = 0;
    const first = new AbortController();
    const running = relayWith({ onRelayed: (n) => (sent += n) }).run(first.signal);
    await until(() => sent >= 2500);
    first.abort();
    await running;
    expect(appended).toBeLessThan(live.length); // stopped mid-stream

    // 2. A crash after the acks but before the checkpoint: the checkpoint is behind the topic.
    const log = await wholeLog(context.store);
    await setCheckpoint(log[1200]!.position);
    const second = new AbortController();
    const following = relayWith().run(second.signal);
    await until(async () => (await relayWith().checkpoint()) !== log[1200]!.position);
    second.abort();
    await following;

    // 3. Worse: no checkpoint at all, the log is read from the start.
    await setCheckpoint(null);
    await appending;
    await relayWith().catchUp();

    const messages = await readTopic(topic);
    const whole = await wholeLog(context.store);
    expect(whole).toHaveLength(5000);
    expect(messages).toHaveLength(5000);
    expectExactCopy(messages, whole);
  });

  it('lets one relay per topic lead while another stands by', async () => {
    const info: string[] = [];
    const logger = { ...quietLogger, info: (_: object, msg?: string) => void info.push(msg ?? '') };
    const leaderInfo: string[] = [];
    const leaderLogger = {
      ...quietLogger,
      info: (_: object, msg?: string) => void leaderInfo.push(msg ?? ''),
    };
    const leader = new AbortController();
    const leading = relayWith({ logger: leaderLogger }).run(leader.signal);
    // Leading: it holds the lock once its session started (the checkpoint
    // may already be at the head from the test before).
    await until(() => leaderInfo.includes('relay session started'));
    await until(async () => (await relayWith().checkpoint()) === (await context.store.headPosition()));
    const standby = new AbortController();
    let sent = 0;
    const standingBy = relayWith({ logger, standbyCheckMs: 100, onRelayed: (n) => (sent += n) }).run(
      standby.signal,
    );
    await until(() => info.includes('another relay is running; standing by'));
    leader.abort();
    await leading;
    await context.store.append(someEvents(100, 10, 'after'));
    await until(() => sent === 100);
    standby.abort();
    await standingBy;
    expectExactCopy(await readTopic(topic), await wholeLog(context.store));
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('relay: personal data stays sealed on the topic (docs/erasure.md)', () => {
  const context = useStore();
  const topic = uniqueTopic();

  it('publishes personal fields sealed; a reader with the keys opens them, and after an erasure reads them erased', async () => {
    await migrateCustomerKeys(context.pool);
    const keys = new CustomerKeys(context.pool, { master: masterKeyOf(randomBytes(32)) });
    const sealing = createSealingEventStore(context.store, keys);
    const marker = `Hendrika-${randomBytes(4).toString('hex')}`;
    const events = [
      testEvent('s-1', 'CustomerOnboarded', '2026-03-01T09:00:00Z', {
        name: `${marker} BV`,
        accountManagerId: 'am-1',
      }),
      {
        ...testEvent('s-1', 'ContactLogged', '2026-03-02T09:00:00Z', {
          channel: 'call',
          direction: 'inbound',
          summary: `${marker} called`,
        }),
        metadata: { crmNote: `${marker} prefers mornings` },
      },
      testEvent('s-2', 'ContactLogged', '2026-03-02T10:00:00Z', { channel: 'email', direction: 'outbound' }),
    ];
    await sealing.append(events);
    const relay = createRelay({
      store: context.store,
      pool: context.pool,
      kafka,
      topic,
      partitions: 2,
      batchSize: 100,
      logger: quietLogger,
    });
    expect(await relay.catchUp()).toBe(3);

    const messages = (await readTopic(topic)).sort((a, b) =>
      a.headers.position! < b.headers.position! ? -1 : 1,
    );
    expect(JSON.stringify(messages)).not.toContain(marker);
    for (const m of messages) {
      const parsed = relayMessageSchema.safeParse({
        key: m.key,
        value: m.value,
        headers: m.headers,
        timestamp: m.timestamp,
      });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
    expect((messages[1]!.value.data as Record<string, unknown>).summary).toMatch(/^enc:v1:/);

    const source = async (ids: readonly string[]) => ({ keys: await keys.dataKeys(ids), cacheSeconds: 60 });
    const opened = await createSealedEnvelopeReader({ keys: source }).open(
      messages.map((m) => m.value as SealedEnvelope),
    );
    expect(opened.map((e) => [e.data, e.metadata ?? null, e.erased ?? false])).toEqual(
      events.map((e) => [JSON.parse(JSON.stringify(e.data)), e.metadata ?? null, false]),
    );
    // Key order as the replay gives it.
    expect(Object.keys(opened[1]!)).toEqual(
      Object.keys(toEnvelope((await context.store.readAll({ limit: 3 }))[1]!)),
    );

    await keys.erase('s-1');
    const erased = await createSealedEnvelopeReader({ keys: source }).open(
      messages.map((m) => m.value as SealedEnvelope),
    );
    expect(erased.map((e) => [e.data, e.metadata ?? null, e.erased ?? false])).toEqual([
      [{ name: null, accountManagerId: 'am-1' }, null, true],
      [{ channel: 'call', direction: 'inbound', summary: null }, null, true],
      [events[2]!.data, null, false],
    ]);
  });
});
