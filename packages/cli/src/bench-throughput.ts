import type { PlatformConfig } from '@crh/config';
import type { IncomingEvent } from '@crh/domain';
import { createPgPool, createPostgresEventStore } from '@crh/event-store/postgres';
import { createProjector, migrateReadModels, requestRebuild } from '@crh/read-models';
import { copyRows, eventRows } from './bench-copy.ts';
import { generateBook } from './book-generator.ts';
import { recreateDatabase } from './embedded-postgres.ts';

export interface Figure {
  name: string;
  events: number;
  seconds: number;
  perSecond: number;
}

export interface Throughput {
  figures: Figure[];
  summary: string;
}

const silent = { info: () => {}, warn: () => {}, error: (o: object) => console.error(o) };

const figure = (name: string, events: number, ms: number): Figure => ({
  name,
  events,
  seconds: ms / 1000,
  perSecond: Math.round(events / (ms / 1000)),
});

/**
 * Append throughput (batches of 500), projection catch-up on the live path
 * (batch by batch, announcing changes) and a rebuild (customer by customer),
 * next to a raw COPY of the same events into a table shaped like the log, in
 * the same run, so the figures say how close to the database's limit we are.
 * Runs in a fresh `crh_bench` database.
 */
export async function benchThroughput(
  adminUrl: string,
  config: PlatformConfig,
  options: { events: number; concurrency: number; batch: number; log: (line: string) => void },
): Promise<Throughput> {
  const url = await recreateDatabase(adminUrl, 'crh_bench');
  const pool = createPgPool(url, { max: options.concurrency + 2, applicationName: 'crh-bench' });
  const store = createPostgresEventStore({ pool });
  try {
    await store.migrate();
    await migrateReadModels(pool);
    options.log(`generating ${options.events} events ...`);
    const events = generateBook({
      customers: Math.max(1, Math.round(options.events / 10)),
      managers: 50,
      eventsPerCustomer: 10,
      endDate: '2026-10-31',
      days: 365,
      seed: 42,
      lateShare: 0.05,
    }).slice(0, options.events);
    const figures: Figure[] = [];

    // A projector that has seen the (empty) log: what follows is live traffic.
    const projector = () =>
      createProjector({ store, pool, logger: silent, context: config.rules, batchSize: options.batch });
    await projector().catchUp();

    await pool.query('create table crh.bench_copy_events (like crh.events including all)');
    let started = performance.now();
    await copyRows(pool, 'crh.bench_copy_events', eventRows(events));
    figures.push(figure('raw COPY into an events-shaped table', events.length, performance.now() - started));

    started = performance.now();
    await appendAll(events, options.concurrency, (batch) => store.append(batch));
    figures.push(
      figure(
        `append, batches of 500, ${options.concurrency} concurrent`,
        events.length,
        performance.now() - started,
      ),
    );

    started = performance.now();
    const projected = await projector().catchUp();
    figures.push(
      figure(`projection catch-up, batches of ${options.batch}`, projected, performance.now() - started),
    );

    await requestRebuild(pool);
    started = performance.now();
    await projector().catchUp();
    figures.push(figure('rebuild, customer by customer', events.length, performance.now() - started));

    const [copy, append, catchUp, rebuild] = figures as [Figure, Figure, Figure, Figure];
    const pct = (a: Figure, b: Figure) => `${Math.round((100 * a.perSecond) / b.perSecond)}%`;
    return {
      figures,
      summary: `append / raw COPY = ${pct(append, copy)}; catch-up / raw COPY = ${pct(catchUp, copy)}; rebuild / raw COPY = ${pct(rebuild, copy)}`,
    };
  } finally {
    await store.close();
    await pool.end();
  }
}

async function appendAll(
  events: readonly IncomingEvent[],
  concurrency: number,
  append: (batch: IncomingEvent[]) => Promise<unknown>,
): Promise<void> {
  const batches: IncomingEvent[][] = [];
  for (let i = 0; i < events.length; i += 500) batches.push(events.slice(i, i + 500));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await append(batches[next++]!);
    }),
  );
}
