import type { PlatformConfig } from '@crh/config';
import type { IncomingEvent } from '@crh/domain';
import { recreateDatabase } from '@crh/embedded-postgres';
import type { EventStore } from '@crh/event-store';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import type { BatchTimings } from '@crh/read-models/projection';
import { createProjector, type Projector } from '@crh/read-models/runner';
import {
  migrateReadModels,
  READ_MODEL_TABLES,
  RELATIONSHIPS_PROJECTION,
  readCheckpoint,
  requestRebuild,
} from '@crh/read-models/schema';
import getPort from 'get-port';
import type { Pool } from 'pg';
import { temporaryLocalAuth } from '../platform/local-auth.ts';
import { spawnServices, stopServices } from '../platform/service-processes.ts';
import { copyRows, eventRows } from './bench-copy.ts';
import { benchLog } from './book-generator.ts';
import { cpuSecondsOf, postgresCpuSeconds, postmasterPid } from './process-cpu.ts';

export interface Figure {
  name: string;
  events: number;
  seconds: number;
  perSecond: number;
  /** A live projection's batches: where their time went (summed over batches, milliseconds). */
  batches?: BatchTimings;
  /** CPU seconds spent meanwhile: the projector process(es) and the PostgreSQL server. */
  cpu?: { projectors: number | null; postgres: number | null };
  /** A build's phases (new tables loaded, indexed, swapped in), in milliseconds. */
  phases?: { loadMs: number; indexMs: number; swapMs: number };
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
 * in this process (batch by batch, announcing changes, with where the
 * batches' time went), the live projection by 1 and 2 projector processes
 * sharing the partitions, and a rebuild (customer by customer), next to a
 * raw COPY of the same events into a table shaped like the log, in the same
 * run, so the figures say how close to the database's limit we are. Each
 * projection figure has its CPU: the projector's and PostgreSQL's. Runs in a
 * fresh `crh_bench` database.
 */
export async function benchThroughput(
  adminUrl: string,
  config: PlatformConfig,
  options: {
    events: number;
    concurrency: number;
    batch: number;
    /** Live projection figures with these many projector processes each. */
    projectors: readonly number[];
    log: (line: string) => void;
  },
): Promise<Throughput> {
  const url = await recreateDatabase(adminUrl, 'crh_bench');
  const pool = createPgPool(url, { max: options.concurrency + 2, applicationName: 'crh-bench' });
  const store = createPostgresEventStore({ pool });
  try {
    await store.migrate();
    await migrateReadModels(pool);
    options.log(`generating ${options.events} events ...`);
    const events = benchLog(options.events);
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

    const postmaster = await postmasterPid(pool);
    const timed = { url, pool, store, config, batch: options.batch, postmaster };
    figures.push(
      await projectionFigure(`projection catch-up, batches of ${options.batch}`, timed, (p) => p.catchUp()),
    );
    // The live path as deployed: projector processes following the log
    // (partitions shared between them), from empty read models to the head.
    for (const processes of options.projectors) {
      await emptyReadModels(pool);
      figures.push(await liveFigure(processes, events.length, timed, options.log));
    }

    await requestRebuild(pool);
    figures.push(
      // The build covers the whole log before catchUp counts batches (none follow here).
      await projectionFigure('rebuild, customer by customer', timed, async (p) => {
        await p.catchUp();
        return events.length;
      }),
    );

    const copy = figures[0]!;
    const pct = (a: Figure) => `${Math.round((100 * a.perSecond) / copy.perSecond)}%`;
    return {
      figures,
      summary: figures
        .slice(1)
        .map((f) => `${f.name.split(',')[0]} / raw COPY = ${pct(f)}`)
        .join('; '),
    };
  } finally {
    await store.close();
    await pool.end();
  }
}

interface TimedDeps {
  url: string;
  pool: Pool;
  store: EventStore;
  config: PlatformConfig;
  batch: number;
  postmaster: number | null;
}

/**
 * Runs a projector in this process on a pool of its own: where its batches'
 * time went (their timings, summed), or a build's phases (which the runner
 * logs), and the CPU of this process and of PostgreSQL meanwhile.
 */
async function projectionFigure(
  name: string,
  deps: TimedDeps,
  run: (projector: Projector) => Promise<number>,
): Promise<Figure> {
  const projectionPool = createPgPool(deps.url, { max: 4, applicationName: 'crh-bench-projection' });
  const batches: BatchTimings = { readMs: 0, foldMs: 0, intervalsMs: 0, signalsMs: 0, saveMs: 0, kpiMs: 0 };
  let batched = false;
  let phases: Figure['phases'];
  const projector = createProjector({
    store: deps.store,
    pool: projectionPool,
    logger: {
      ...silent,
      // The build's result (with its phases) is logged, not returned.
      info: (o: { timings?: Figure['phases'] }) => {
        if (o.timings) phases = o.timings;
      },
    },
    context: deps.config.rules,
    batchSize: deps.batch,
    onCommitted: (result) => {
      if (!result.timings) return;
      batched = true;
      for (const key of Object.keys(batches) as (keyof BatchTimings)[]) batches[key] += result.timings[key];
    },
  });
  const cpuBefore = { own: process.cpuUsage(), postgres: postgresCpuSeconds(deps.postmaster) };
  const started = performance.now();
  let events: number;
  let ms: number;
  try {
    events = await run(projector);
    ms = performance.now() - started;
  } finally {
    await projectionPool.end();
  }
  const own = process.cpuUsage(cpuBefore.own);
  const cpu = {
    projectors: (own.user + own.system) / 1e6,
    postgres: spent(cpuBefore.postgres, postgresCpuSeconds(deps.postmaster)),
  };
  return {
    ...figure(name, events, ms),
    cpu,
    ...(phases ? { phases } : {}),
    ...(batched ? { batches } : {}),
  };
}

/**
 * `processes` projector processes (as `crh start` runs them) projecting the
 * whole log from empty read models: the time until the overall checkpoint
 * (the lowest partition's) reaches the head, and their CPU and PostgreSQL's.
 */
async function liveFigure(
  processes: number,
  events: number,
  deps: TimedDeps,
  log: (line: string) => void,
): Promise<Figure> {
  const head = await deps.store.headPosition();
  const auth = await temporaryLocalAuth();
  const ports = await Promise.all(Array.from({ length: processes }, () => getPort()));
  log(`live projection by ${processes} projector process(es) ...`);
  const postgresBefore = postgresCpuSeconds(deps.postmaster);
  const started = performance.now();
  const children = ports.flatMap((port) =>
    spawnServices(['projector'], {
      ...process.env,
      ...auth.env,
      DATABASE_URL: deps.url,
      HOST: '127.0.0.1',
      PROJECTOR_PORT: String(port),
      PROJECTOR_BATCH_SIZE: String(deps.batch),
      LOG_LEVEL: 'warn',
    }),
  );
  let ms: number;
  let projectors: number | null = null;
  try {
    for (;;) {
      const checkpoint = await readCheckpoint(deps.pool, RELATIONSHIPS_PROJECTION);
      if (head === null || (checkpoint !== null && checkpoint >= head)) break;
      if (children.some((c) => c.exitCode !== null)) throw new Error('a projector process exited');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ms = performance.now() - started;
    const used = children.map((c) => cpuSecondsOf(c.pid));
    projectors = used.every((u) => u !== null) ? used.reduce((a, b) => a! + b!, 0) : null;
  } finally {
    await stopServices(children);
    await auth.remove();
  }
  const name = `live projection, ${processes} projector process${processes === 1 ? '' : 'es'}`;
  return {
    ...figure(name, events, ms),
    cpu: { projectors, postgres: spent(postgresBefore, postgresCpuSeconds(deps.postmaster)) },
  };
}

const spent = (before: number | null, after: number | null) =>
  before === null || after === null ? null : Math.round((after - before) * 10) / 10;

/**
 * Empties the read models and every checkpoint, keeping the configuration
 * they were built with: the next projector projects the whole log live, batch
 * by batch, rather than building it.
 */
async function emptyReadModels(pool: Pool): Promise<void> {
  await pool.query(
    `truncate ${[...READ_MODEL_TABLES, 'crh.parked_events', 'crh.relationship_status_changes', 'crh.signal_alerts'].join(', ')}`,
  );
  await pool.query(
    `update crh.projection_checkpoints set position = null, quiet_until = null, alerts_until = null where projection = $1`,
    [RELATIONSHIPS_PROJECTION],
  );
  await pool.query('update crh.projection_partitions set position = null where projection = $1', [
    RELATIONSHIPS_PROJECTION,
  ]);
}

/** Appends in batches of 500, `concurrency` at a time, as many clients would. */
export async function appendAll(
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
