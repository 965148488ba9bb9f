import { randomUUID } from 'node:crypto';
import { recreateDatabase } from '@crh/embedded-postgres';
import { createRelay, migrateRelayCheckpoints } from '@crh/event-relay';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createKafkaClient } from '@crh/messaging/kafka';
import { createPgPool } from '@crh/postgres';
import { appendAll } from './bench-throughput.ts';
import { benchLog } from './book-generator.ts';

export interface RelayFigure {
  round: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface BenchRelayOptions {
  /** Events in the log; default 200,000. */
  events?: number;
  log: (line: string) => void;
  /** Events per batch (one checkpoint each); default 10,000, as RELAY_BATCH_SIZE. */
  batchSize?: number;
  /** Default: the relay's own default. */
  compression?: 'none' | 'gzip';
  /** Partitions of the topic; default 12, as RELAY_PARTITIONS. */
  partitions?: number;
}

const silent = { info: () => {}, warn: () => {}, error: (o: object) => console.error(o) };

/**
 * Relay throughput: a log of `events` events in a fresh `crh_bench_relay`
 * database, then the time a relay takes to copy all of it to a new topic
 * (creating the topic, sending, waiting for the acks, checkpointing), twice:
 * the first round meets a broker JVM just started (cold), the second a warm
 * one. The topics are deleted afterwards: with unlimited retention they would stay.
 */
export async function benchRelay(
  adminUrl: string,
  brokers: readonly string[],
  options: BenchRelayOptions,
): Promise<RelayFigure[]> {
  const count = options.events ?? 200_000;
  const url = await recreateDatabase(adminUrl, 'crh_bench_relay');
  const pool = createPgPool(url, { max: 8, applicationName: 'crh-bench-relay' });
  const store = createPostgresEventStore({ pool });
  const kafka = createKafkaClient({ brokers: [...brokers], clientId: 'crh-bench-relay', logger: silent });
  const topics: string[] = [];
  try {
    await store.migrate();
    await migrateRelayCheckpoints(pool);
    options.log(`appending ${count} events ...`);
    await appendAll(benchLog(count), 4, (batch) => store.append(batch));
    const figures: RelayFigure[] = [];
    for (const round of ['cold broker', 'warm broker']) {
      const topic = `crh.events.v1.bench-${randomUUID().slice(0, 8)}`;
      topics.push(topic);
      const relay = createRelay({
        store,
        pool,
        kafka,
        topic,
        partitions: options.partitions ?? 12,
        batchSize: options.batchSize ?? 10_000,
        logger: silent,
        ...(options.compression ? { compression: options.compression } : {}),
      });
      options.log(`relaying to ${topic} (${round}) ...`);
      const started = performance.now();
      const sent = await relay.catchUp();
      const seconds = (performance.now() - started) / 1000;
      figures.push({ round, events: sent, seconds, eventsPerSecond: Math.round(sent / seconds) });
    }
    return figures;
  } finally {
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics }))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
    await store.close();
    await pool.end();
  }
}
