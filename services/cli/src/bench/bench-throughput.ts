import type { PlatformConfig } from '@crh/config';
import type { IncomingEvent } from '@crh/domain';
import { recreateDatabase } from '@crh/embedded-postgres';
import type { EventStore } from '@crh/event-store';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { createProjector, type Projector } from '@crh/read-models/runner';
import { migrateReadModels, requestRebuild } from '@crh/read-models/schema';
import type { Pool } from 'pg';
import { copyRows, eventRows } from './bench-copy.ts';
import { benchLog } from './book-generator.ts';

export interface Figure {
  name: string;
  events: number;
  seconds: number;
  perSecond: number;
  /** Projection figures: the part of the time the signal read models took. */
  signals?: SignalShare;
  /** A build's phases (new tables loaded, indexed, swapped in), in milliseconds. */
  phases?: { loadMs: number; indexMs: number; swapMs: number };
}

/**
 * The signal read models' share of a projection's wall time. `projectorMs`
 * is timed in the projector around `applySignalBatch` (catch-up) or
 * `SignalBuild` add/flush/finish (rebuild); `triggersMs` is the time of the
 * interval-level trigger function (`crh.rm_interval_levels`, the KPI levels
 * kept by every interval write) from PostgreSQL's function statistics, null
 * when they cannot be switched on (not a superuser).
 */
export interface SignalShare {
  projectorMs: number;
  triggersMs: number | null;
  /** Share of the wall time in both, 0-1. */
  share: number;
  /** The same events over the wall time minus both: what the rest reaches on its own. */
  restPerSecond: number;
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
 * The two projection figures also say what the signal read models cost in
 * them (SignalShare). Runs in a fresh `crh_bench` database.
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
    // Connections opened from here on time plpgsql functions (the triggers).
    const triggersTimed = await pool
      .query(`alter database crh_bench set track_functions = 'pl'`)
      .then(() => true)
      .catch(() => false);
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

    const timed = { url, pool, store, config, batch: options.batch, triggersTimed };
    figures.push(
      await projectionFigure(`projection catch-up, batches of ${options.batch}`, timed, (p) => p.catchUp()),
    );

    await requestRebuild(pool);
    figures.push(
      // The build covers the whole log before catchUp counts batches (none follow here).
      await projectionFigure('rebuild, customer by customer', timed, async (p) => {
        await p.catchUp();
        return events.length;
      }),
    );

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

/**
 * Runs a projector on a pool of its own and times the signal read models in
 * it: the projector's own timings (each committed batch's, or the build's,
 * which the runner logs) and the trigger function's time in the database.
 * The pool is ended before the statistics are read: a backend flushes its
 * function statistics when it exits.
 */
async function projectionFigure(
  name: string,
  deps: {
    url: string;
    pool: Pool;
    store: EventStore;
    config: PlatformConfig;
    batch: number;
    triggersTimed: boolean;
  },
  run: (projector: Projector) => Promise<number>,
): Promise<Figure> {
  const applicationName = 'crh-bench-projection';
  const projectionPool = createPgPool(deps.url, { max: 4, applicationName });
  let projectorMs = 0;
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
      projectorMs += result.timings?.signalsMs ?? 0;
    },
  });
  const triggersBefore = deps.triggersTimed ? await triggerMs(deps.pool) : 0;
  const started = performance.now();
  let events: number;
  let ms: number;
  try {
    events = await run(projector);
    ms = performance.now() - started;
  } finally {
    await projectionPool.end();
  }
  let triggersMs: number | null = null;
  if (deps.triggersTimed) {
    await backendsGone(deps.pool, applicationName);
    triggersMs = (await triggerMs(deps.pool)) - triggersBefore;
  }
  // A build (new tables, then indexes) has no batches or triggers to time: its phases tell.
  if (phases) return { ...figure(name, events, ms), phases };
  const signalsMs = projectorMs + (triggersMs ?? 0);
  return {
    ...figure(name, events, ms),
    signals: {
      projectorMs,
      triggersMs,
      share: signalsMs / ms,
      restPerSecond: Math.round(events / ((ms - signalsMs) / 1000)),
    },
  };
}

async function triggerMs(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ ms: number }>(
    `select coalesce(sum(total_time), 0)::float8 as ms from pg_stat_user_functions
     where schemaname = 'crh' and funcname = 'rm_interval_levels'`,
  );
  return rows[0]!.ms;
}

/** Waits until the pool's backends have exited, and a little more for their last statistics. */
async function backendsGone(pool: Pool, applicationName: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    if (rows[0]!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A backend leaves pg_stat_activity just before it flushes its statistics.
  await new Promise((resolve) => setTimeout(resolve, 250));
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
