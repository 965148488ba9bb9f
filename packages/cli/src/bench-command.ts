import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { PlatformConfig } from '@crh/config';
import type { IncomingEvent } from '@crh/domain';
import { createPgPool, createPostgresEventStore } from '@crh/event-store/postgres';
import { createProjector, migrateReadModels } from '@crh/read-models';
import { copyRows, eventRows } from './bench-copy.ts';
import { generateBook } from './book-generator.ts';
import { dataDir } from './data-dir.ts';
import { recreateDatabase, startEmbeddedPostgres } from './embedded-postgres.ts';

const log = (line: string) => console.log(`[bench] ${line}`);
const silent = { info: () => {}, warn: () => {}, error: (o: object) => console.error(o) };

interface Figure {
  name: string;
  events: number;
  seconds: number;
  perSecond: number;
}

const figure = (name: string, events: number, ms: number): Figure => ({
  name,
  events,
  seconds: ms / 1000,
  perSecond: Math.round(events / (ms / 1000)),
});

/**
 * `crh bench`: append throughput (batches of 500) and projection catch-up,
 * next to a raw COPY of the same events into a table shaped like the log, in
 * the same run, so the figures say how close to the database's limit we are.
 * Runs in a fresh `crh_bench` database (embedded server unless DATABASE_URL).
 */
export async function benchCommand(config: PlatformConfig, args: readonly string[]): Promise<void> {
  const total = Number(argValue(args, '--events') ?? 200_000);
  const concurrency = Number(argValue(args, '--concurrency') ?? 4);
  const projectionBatch = Number(argValue(args, '--batch') ?? config.env.PROJECTOR_BATCH_SIZE);
  const embedded = config.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres(dataDir(), Number(process.env.CRH_EMBEDDED_PG_PORT ?? 54329), log);
  const adminUrl = embedded?.adminUrl ?? withDatabase(config.env.DATABASE_URL!, 'postgres');
  const url = await recreateDatabase(adminUrl, 'crh_bench');
  const pool = createPgPool(url, { max: concurrency + 2, applicationName: 'crh-bench' });
  const store = createPostgresEventStore({ pool });
  await store.migrate();
  await migrateReadModels(pool);

  log(`generating ${total} events ...`);
  const events = generateBook({
    customers: Math.max(1, Math.round(total / 10)),
    managers: 50,
    eventsPerCustomer: 10,
    endDate: '2026-10-31',
    days: 365,
    seed: 42,
    lateShare: 0.05,
  }).slice(0, total);
  const figures: Figure[] = [];

  await pool.query('create table crh.bench_copy_events (like crh.events including all)');
  let started = performance.now();
  await copyRows(pool, 'crh.bench_copy_events', eventRows(events));
  figures.push(figure('raw COPY into an events-shaped table', events.length, performance.now() - started));

  started = performance.now();
  await appendAll(events, concurrency, (batch) => store.append(batch));
  figures.push(
    figure(`append, batches of 500, ${concurrency} concurrent`, events.length, performance.now() - started),
  );

  const projector = createProjector({
    store,
    pool,
    logger: silent,
    context: config.rules,
    batchSize: projectionBatch,
  });
  started = performance.now();
  const projected = await projector.catchUp();
  figures.push(
    figure(`projection catch-up, batches of ${projectionBatch}`, projected, performance.now() - started),
  );

  await store.close();
  await pool.end();
  await embedded?.stop();

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  log(`machine: ${machine}`);
  for (const f of figures)
    log(
      `${f.name.padEnd(45)} ${String(f.perSecond).padStart(8)} events/s  (${f.events} in ${f.seconds.toFixed(2)} s)`,
    );
  const [copyEvents, append, copyTimeline, catchUp] = figures;
  log(
    `append / raw COPY = ${pct(append!, copyEvents!)}; catch-up / raw COPY = ${pct(catchUp!, copyTimeline!)}`,
  );
  const out = join(dataDir(), 'bench');
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, 'results.json'),
    JSON.stringify({ machine, at: new Date().toISOString(), figures }, null, 2),
  );
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

const pct = (a: Figure, b: Figure) => `${Math.round((100 * a.perSecond) / b.perSecond)}%`;

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
