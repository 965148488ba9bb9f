import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingEvent } from '@crh/domain';
import { recreateDatabase } from '@crh/embedded-postgres';
import type { EventStore } from '@crh/event-store';
import {
  CustomerKeys,
  createSealingEventStore,
  eraseCustomer,
  holdsPersonalData,
  masterKeyOf,
  migrateCustomerKeys,
} from '@crh/event-store/encryption';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import type { Pool } from 'pg';
import { appendAll } from './bench-throughput.ts';
import { benchLog } from './book-generator.ts';
import { type Latency, latencyOf } from './latency.ts';

export interface SealingFigures {
  events: number;
  /** Of them, events that hold a personal field or metadata (what is sealed). */
  personalShare: number;
  append: { plainPerSecond: number; sealedPerSecond: number; slowerPercent: number };
  /** Best of three full replays (the store's NDJSON lines) of each log. */
  replay: { plainPerSecond: number; sealedPerSecond: number; slowerPercent: number };
  /** eraseCustomer on customers of 1,000 sealed events each. */
  erase: Latency;
}

/**
 * What sealing personal data costs (docs/erasure.md), in one run beside the
 * same without it: `events` events of the bench's book, each contact and
 * complaint with a summary and every fifth with metadata, appended (4
 * appenders, batches of 500) into a fresh log by the plain PostgreSQL store
 * and by the sealing one; each log replayed whole by its store; then the
 * erasure of customers with 1,000 sealed events each, timed call by call.
 */
export async function benchSealing(
  adminUrl: string,
  options: { events: number; erasures: number; log: (line: string) => void },
): Promise<SealingFigures> {
  const events = withPersonalText(benchLog(options.events));
  const personal = events.filter((e) => holdsPersonalData(e.data, e.metadata)).length;
  const plain = await freshLog(adminUrl, 'crh_bench_plain', false);
  const sealed = await freshLog(adminUrl, 'crh_bench_sealed', true);
  try {
    options.log(`appending ${events.length} events, plain then sealed ...`);
    const plainAppend = await timed(() => appendAll(events, 4, (batch) => plain.store.append(batch)));
    const sealedAppend = await timed(() => appendAll(events, 4, (batch) => sealed.store.append(batch)));
    options.log('replaying each log whole, three times ...');
    const plainReplay = await bestOf(3, () => replayAll(plain.store));
    const sealedReplay = await bestOf(3, () => replayAll(sealed.store));
    options.log(`erasing ${options.erasures} customers of 1,000 events each ...`);
    const erase: number[] = [];
    for (let i = 0; i < options.erasures; i++) {
      const customerId = `erase-${i}-${randomBytes(3).toString('hex')}`;
      await appendAll(thousandEvents(customerId), 1, (batch) => sealed.store.append(batch));
      const started = performance.now();
      await eraseCustomer(sealed.store, sealed.keys!, sealed.pool, { customerId, requestedBy: 'crh-bench' });
      erase.push(performance.now() - started);
    }
    const rate = (ms: number) => Math.round(events.length / (ms / 1000));
    // Throughput lost: 1 - sealed/plain events per second.
    const slower = (plainMs: number, sealedMs: number) => Math.round((1 - plainMs / sealedMs) * 1000) / 10;
    return {
      events: events.length,
      personalShare: Math.round((personal / events.length) * 1000) / 10,
      append: {
        plainPerSecond: rate(plainAppend),
        sealedPerSecond: rate(sealedAppend),
        slowerPercent: slower(plainAppend, sealedAppend),
      },
      replay: {
        plainPerSecond: rate(plainReplay),
        sealedPerSecond: rate(sealedReplay),
        slowerPercent: slower(plainReplay, sealedReplay),
      },
      erase: latencyOf('erase one customer of 1,000 events', erase),
    };
  } finally {
    for (const log of [plain, sealed]) {
      await log.store.close();
      await log.pool.end();
    }
  }
}

async function freshLog(adminUrl: string, name: string, sealing: boolean) {
  const pool: Pool = createPgPool(await recreateDatabase(adminUrl, name), {
    max: 8,
    applicationName: 'crh-bench',
  });
  const inner = createPostgresEventStore({ pool });
  await inner.migrate();
  await migrateCustomerKeys(pool);
  const keys = sealing ? new CustomerKeys(pool, { master: masterKeyOf(randomBytes(32)) }) : null;
  const store: EventStore = keys ? createSealingEventStore(inner, keys) : inner;
  return { pool, store, keys };
}

/** The book's events with the text a CRM records: a summary on contacts and complaints, metadata on every fifth. */
export function withPersonalText(events: IncomingEvent[]): IncomingEvent[] {
  return events.map((event, i) => {
    const data =
      event.type === 'ContactLogged' || event.type === 'ComplaintReceived'
        ? { ...event.data, summary: `Spoke with the customer about the renewal and the open invoice (${i})` }
        : event.data;
    return {
      ...event,
      data,
      ...(i % 5 === 0 ? { metadata: { source: 'crm-sync', operator: `agent-${i % 40}` } } : {}),
    } as IncomingEvent;
  });
}

function thousandEvents(customerId: string): IncomingEvent[] {
  return Array.from(
    { length: 1_000 },
    (_, i) =>
      ({
        id: randomUUID(),
        type: 'ContactLogged',
        customerId,
        occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
        data: { channel: 'call', direction: 'outbound', summary: `Call ${i} about the contract` },
      }) as IncomingEvent,
  );
}

async function replayAll(store: EventStore): Promise<void> {
  let lines = 0;
  for await (const chunk of store.replay({}))
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
  if (lines === 0) throw new Error('the replay gave nothing');
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function bestOf(times: number, run: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) best = Math.min(best, await timed(run));
  return best;
}
