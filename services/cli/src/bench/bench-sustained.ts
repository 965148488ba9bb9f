import { recreateDatabase } from '@crh/embedded-postgres';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { measureProjectionLag } from '@crh/read-models/runner';
import { withServices } from '../platform/service-processes.ts';
import { generateBook } from './book-generator.ts';
import { type LagSample, type LagTrend, lagTrend } from './lag-trend.ts';
import { cpuSecondsOf, postgresCpuByClient, postgresCpuSeconds, postmasterPid } from './process-cpu.ts';

export interface SustainedOptions {
  /** How long the clients post. */
  seconds: number;
  /** Runs, one per entry: that many projector processes. */
  projectors: readonly number[];
  /** How long to wait, once the load stops, for the projection to catch up. */
  drainCapSeconds: number;
  log: (line: string) => void;
}

/** The load: HTTP clients, each posting one batch at a time, as fast as ingest answers. */
const CLIENTS = 4;
const BATCH = 500;
const CUSTOMERS = 10_000;
/**
 * The book is generated before the runs, for `seconds` at this rate (above
 * what ingest reaches on the machines of docs/benchmarks.md: raw COPY is
 * 27,000-38,000 events/s there); a run that posts it all before its time is
 * up says so (`bookExhausted`).
 */
const BOOK_EVENTS_PER_SECOND = 30_000;

export interface SustainedSample extends LagSample {
  /** Events ingest had accepted when the sample was taken. */
  ingested: number;
}

/** A figure per process of a run (CPU seconds, or cores: CPU seconds per second); null where /proc could not tell. */
export interface PerProcess {
  ingest: number | null;
  projectors: (number | null)[];
  postgres: number | null;
  gateway: number | null;
  /** This process: the clients and the sampling. */
  bench: number | null;
}

export interface SustainedRun {
  projectors: number;
  loadSeconds: number;
  eventsIngested: number;
  /** Batches ingest did not accept, by reason (none expected). */
  refused: Record<string, number>;
  ingestPerSecond: number;
  /**
   * Events the projectors had applied when the load stopped (the sum of their
   * `crh_projected_events_total`); null when /metrics did not answer.
   */
  projectedAtLoadEnd: number | null;
  /** Events projected per second over the load, and over the load and the drain. */
  projectedPerSecond: { load: number | null; withDrain: number | null };
  /** Events projected per second while draining (no ingest); null when nothing was left. */
  drainPerSecond: number | null;
  lag: LagTrend;
  /** Seconds from the end of the load to a lag of 0; null when the cap came first. */
  drainSeconds: number | null;
  bookExhausted: boolean;
  /** CPU in cores, over the load and over the drain. */
  cpu: { load: PerProcess; drain: PerProcess };
  /**
   * PostgreSQL's CPU in cores per client program (its backends'
   * application_name: crh-ingest, crh-projector, ...), over the load and the
   * drain: whose work the database's share is (see postgresCpuByClient).
   */
  postgresByClient: { load: Record<string, number>; drain: Record<string, number> };
  samples: SustainedSample[];
}

export interface SustainedFigures {
  seconds: number;
  clients: number;
  batch: number;
  customers: number;
  bookEvents: number;
  runs: SustainedRun[];
}

/**
 * Ingest at full speed with the live projection beside it: for each entry
 * of `projectors`, a fresh `crh_bench_sustained` database, ingest, gateway
 * and that many projector processes (access control on), then CLIENTS
 * clients posting batches of BATCH events of one book (CUSTOMERS customers,
 * the bench's generator) for `seconds`. Every second the projection lag is
 * read from the database (measureProjectionLag: the log's head against what
 * the projection has applied, whichever projector applied it); once the
 * load stops, until it is 0 (or `drainCapSeconds` has passed). The events
 * projected come from the projectors' own counters. The figures: ingest and
 * projection rates, the lag at the end and its trend over the second half
 * (lag-trend.ts), and each process's CPU.
 */
export async function benchSustained(adminUrl: string, options: SustainedOptions): Promise<SustainedFigures> {
  const book = generateLoad(options);
  const runs: SustainedRun[] = [];
  for (const projectors of options.projectors)
    runs.push(await sustainedRun(adminUrl, book, projectors, options));
  return {
    seconds: options.seconds,
    clients: CLIENTS,
    batch: BATCH,
    customers: CUSTOMERS,
    bookEvents: book.events,
    runs,
  };
}

interface Load {
  /** Request bodies, serialized before the runs so the clients spend no CPU on JSON. */
  bodies: string[];
  counts: number[];
  events: number;
}

function generateLoad(options: SustainedOptions): Load {
  const wanted = options.seconds * BOOK_EVENTS_PER_SECOND;
  options.log(`sustained: generating a book of up to ${wanted} events of ${CUSTOMERS} customers ...`);
  const events = generateBook({
    customers: CUSTOMERS,
    managers: 50,
    // A rough figure: more events than asked for short histories, fewer for long ones
    // (churn ends them; 506,469 for 30 a customer, 1,497,597 for 117): cut to `wanted`.
    eventsPerCustomer: Math.ceil(wanted / CUSTOMERS),
    endDate: '2026-10-31',
    days: 730,
    seed: 42,
    lateShare: 0.05,
  }).slice(0, wanted);
  options.log(`sustained: serializing ${events.length} events in batches of ${BATCH} ...`);
  const bodies: string[] = [];
  const counts: number[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    bodies.push(JSON.stringify({ events: batch }));
    counts.push(batch.length);
  }
  return { bodies, counts, events: events.length };
}

async function sustainedRun(
  adminUrl: string,
  load: Load,
  projectorCount: number,
  options: SustainedOptions,
): Promise<SustainedRun> {
  const { log } = options;
  const url = await recreateDatabase(adminUrl, 'crh_bench_sustained');
  const label = `${projectorCount} projector${projectorCount === 1 ? '' : 's'}`;
  return withServices(
    url,
    {},
    async ({ ingest, auth, pids, projectors }) => {
      const monitor = await auth.bearer(['monitoring'], { sub: 'bench-sustained-monitor', ttl: '24h' });
      const projectedTotal = () => projectedEvents(projectors, monitor);
      const pool = createPgPool(url, { max: 2, applicationName: 'crh-bench-sustained' });
      const store = createPostgresEventStore({ pool });
      try {
        const postmaster = await postmasterPid(pool).catch(() => null);
        const cpuNow = (): PerProcess => ({
          ingest: cpuSecondsOf(pids.ingest),
          projectors: projectors.map((p) => cpuSecondsOf(p.pid)),
          postgres: postgresCpuSeconds(postmaster),
          gateway: cpuSecondsOf(pids.gateway),
          bench: cpuSecondsOfThisProcess(),
        });
        // One token subject per client, as separate feeders would have (the rate limit is per subject).
        const tokens = await Promise.all(
          Array.from({ length: CLIENTS }, (_, i) =>
            auth.bearer(['ingest'], { sub: `bench-sustained-${i + 1}`, ttl: '24h' }),
          ),
        );

        log(`sustained, ${label}: ${CLIENTS} clients posting for ${options.seconds} s ...`);
        let ingested = 0;
        const refused = new Map<string, number>();
        const refuse = (why: string) => refused.set(why, (refused.get(why) ?? 0) + 1);
        const started = performance.now();
        const at = () => (performance.now() - started) / 1000;
        const measure = async (): Promise<SustainedSample> => {
          const second = at();
          const lag = await measureProjectionLag(store, pool);
          return {
            second: round(second, 2),
            events: lag.events,
            seconds: round(lag.seconds, 2),
            ingested,
          };
        };
        const byClient = postgresCpuByClient(pool);
        await byClient.sample();
        const cpuAtStart = cpuNow();

        let next = 0;
        let bookExhausted = false;
        const deadline = started + options.seconds * 1000;
        const loading = Promise.all(
          tokens.map(async (authorization) => {
            while (performance.now() < deadline) {
              const i = next++;
              if (i >= load.bodies.length) {
                bookExhausted = true;
                return;
              }
              try {
                const response = await fetch(`${ingest}/v1/events`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json', authorization },
                  body: load.bodies[i],
                });
                const text = await response.text();
                if (response.ok) ingested += load.counts[i]!;
                else refuse(`HTTP ${response.status}: ${text.slice(0, 160)}`);
              } catch (error) {
                refuse(String(error));
              }
            }
          }),
        );

        const samples: SustainedSample[] = [];
        let loadDone = false;
        const stopped = loading.then(() => {
          loadDone = true;
        });
        const sampling = (async () => {
          for (let k = 1; !loadDone; k++) {
            const wait = started + k * 1000 - performance.now();
            await Promise.race([sleep(wait), stopped]);
            if (loadDone) break;
            await byClient.sample().catch(() => undefined);
            const sample = await measure().catch((error: unknown) => {
              log(`sustained, ${label}: lag not measured at ${k} s: ${String(error)}`);
              return null;
            });
            if (sample === null) continue;
            samples.push(sample);
            if (k % 10 === 0)
              log(
                `sustained, ${label}, ${k} s: ${sample.ingested} ingested, lag ${sample.events} events / ${sample.seconds} s`,
              );
          }
        })();
        await stopped;
        const loadSeconds = at();
        const [end, projectedAtLoadEnd] = await Promise.all([measure(), projectedTotal()]);
        const cpuAtLoadEnd = cpuNow();
        await sampling;
        await byClient.sample();
        const byClientAtLoadEnd = byClient.seconds();
        samples.push(end);

        log(`sustained, ${label}: load over, ${end.events} events behind; waiting for the projection ...`);
        let drainSeconds: number | null = end.events === 0 ? 0 : null;
        for (let k = 1; drainSeconds === null && k <= options.drainCapSeconds; k++) {
          await sleep(started + loadSeconds * 1000 + k * 1000 - performance.now());
          const sample = await measure();
          await byClient.sample();
          samples.push(sample);
          if (sample.events === 0) drainSeconds = round(sample.second - loadSeconds, 1);
        }
        const drainEnd = at();
        const cpuAtDrainEnd = cpuNow();
        await byClient.sample();
        const byClientAtDrainEnd = byClient.seconds();
        const projectedAtDrainEnd = await projectedTotal();
        samples.sort((a, b) => a.second - b.second);

        const trend = lagTrend(samples, end, loadSeconds);
        const drainTime = drainEnd - loadSeconds;
        return {
          projectors: projectorCount,
          loadSeconds: round(loadSeconds, 2),
          eventsIngested: ingested,
          refused: Object.fromEntries(refused),
          ingestPerSecond: Math.round(ingested / loadSeconds),
          projectedAtLoadEnd,
          projectedPerSecond: {
            load: projectedAtLoadEnd === null ? null : Math.round(projectedAtLoadEnd / loadSeconds),
            withDrain: projectedAtDrainEnd === null ? null : Math.round(projectedAtDrainEnd / drainEnd),
          },
          drainPerSecond:
            projectedAtLoadEnd === null || projectedAtDrainEnd === null || drainTime <= 0
              ? null
              : Math.round((projectedAtDrainEnd - projectedAtLoadEnd) / drainTime),
          lag: trend,
          drainSeconds,
          bookExhausted,
          cpu: {
            load: cores(cpuAtStart, cpuAtLoadEnd, loadSeconds),
            drain: cores(cpuAtLoadEnd, cpuAtDrainEnd, drainTime),
          },
          postgresByClient: {
            load: clientCores({}, byClientAtLoadEnd, loadSeconds),
            drain: clientCores(byClientAtLoadEnd, byClientAtDrainEnd, drainTime),
          },
          samples,
        };
      } finally {
        await store.close();
        await pool.end();
      }
    },
    { projectors: projectorCount },
  );
}

/**
 * Events applied by all the projectors, from their own counters: exact
 * whichever projector applied them, where the lag's event count is not
 * while a projector's batch is open (measureProjectionLag counts the
 * readable log, and a transaction open holds back what is readable).
 */
async function projectedEvents(
  projectors: readonly { ops: string }[],
  token: string,
): Promise<number | null> {
  try {
    const counts = await Promise.all(
      projectors.map(async ({ ops }) => {
        const response = await fetch(`${ops}/metrics`, { headers: { authorization: token } });
        const text = await response.text();
        const value = /^crh_projected_events_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
        if (!response.ok || value === undefined) throw new Error(`no crh_projected_events_total at ${ops}`);
        return Number(value);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } catch {
    return null;
  }
}

function cores(from: PerProcess, to: PerProcess, wallSeconds: number): PerProcess {
  const share = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null || wallSeconds <= 0 ? null : round((b - a) / wallSeconds, 2);
  return {
    ingest: share(from.ingest, to.ingest),
    projectors: from.projectors.map((a, i) => share(a, to.projectors[i])),
    postgres: share(from.postgres, to.postgres),
    gateway: share(from.gateway, to.gateway),
    bench: share(from.bench, to.bench),
  };
}

function clientCores(
  from: Record<string, number>,
  to: Record<string, number>,
  wallSeconds: number,
): Record<string, number> {
  if (wallSeconds <= 0) return {};
  return Object.fromEntries(
    Object.entries(to).map(([client, seconds]) => [
      client,
      round((seconds - (from[client] ?? 0)) / wallSeconds, 2),
    ]),
  );
}

const cpuSecondsOfThisProcess = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
