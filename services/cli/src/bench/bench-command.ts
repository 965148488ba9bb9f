import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { PlatformConfig } from '@crh/config';
import { startEmbeddedPostgres } from '@crh/embedded-postgres';
import { createPgPool } from '@crh/postgres';
import { dataDir } from '../platform/data-dir.ts';
import { withServices } from '../platform/service-processes.ts';
import { type AccessFigures, benchAccess } from './bench-access.ts';
import { LARGE_BOOK, type LoadedBook, loadBook } from './bench-book.ts';
import { benchDashboard, type DashboardFigures } from './bench-dashboard.ts';
import { benchKafka } from './bench-kafka.ts';
import { benchLateEvents } from './bench-late-event.ts';
import { benchQueries } from './bench-queries.ts';
import { benchRebuild, type RebuildFigure } from './bench-rebuild.ts';
import { benchRelay, type RelayFigure } from './bench-relay.ts';
import { benchReplay, type ReplayFigure } from './bench-replay.ts';
import { benchSealing, type SealingFigures } from './bench-sealing.ts';
import { benchSoak, type SoakFigures } from './bench-soak.ts';
import { benchSubscriptions, type SubscriptionFigures } from './bench-subscriptions.ts';
import { benchSustained, type SustainedFigures, type SustainedRun } from './bench-sustained.ts';
import { benchThroughput, type Throughput } from './bench-throughput.ts';
import { KEEPS_UP } from './lag-trend.ts';
import type { Latency } from './latency.ts';

const log = (line: string) => console.log(`[bench] ${line}`);

export const BENCH_PARTS = [
  'throughput',
  'sustained',
  'book',
  'access',
  'live',
  'relay',
  'replay',
  'sealing',
  'rebuild',
  'dashboard',
  'soak',
] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** The flags of `crh bench` (cli-program.ts parses and lists them; defaults here). */
export interface BenchFlags {
  only?: BenchPart;
  fresh?: boolean;
  events?: number;
  concurrency?: number;
  batch?: number;
  customers?: number;
  samples?: number;
  subscribers?: number;
  liveEvents?: number;
  relayEvents?: number;
  replayEvents?: number;
  sealingEvents?: number;
  pageLoads?: number;
  soakMinutes?: number;
  soakRate?: number;
  soakDayMs?: number;
  sustainedSeconds?: number;
  /** Sustained: one run per entry, with that many projector processes. */
  projectors?: number[];
  sustainedDrainSeconds?: number;
}

/** What a run measured, by part: printed, and written to .crh/bench/results.json. */
interface BenchResults {
  throughput?: Throughput;
  sustained?: SustainedFigures;
  book?: Omit<LoadedBook, 'url'> & { customers: number; latencies: Latency[] };
  access?: AccessFigures;
  live?: SubscriptionFigures[];
  relay?: { brokers: string; rounds: RelayFigure[] };
  replay?: ReplayFigure[];
  sealing?: SealingFigures;
  rebuild?: RebuildFigure;
  dashboard?: DashboardFigures;
  soak?: SoakFigures;
}

/**
 * `crh bench`: figures, not tests. Its parts, each in databases of its own on
 * the embedded PostgreSQL (or DATABASE_URL's server):
 * 1. throughput: append and projection catch-up next to a raw COPY of the
 *    same events (`--events N`, `--concurrency C`, `--batch B`);
 * 2. the book: 100k customers and ~3M events (`--customers N` for another
 *    size, `--fresh` to reload), then query latencies over HTTP against a
 *    gateway process (`--samples N`), and late events from POST to visible
 *    through ingest, projector and gateway processes.
 * 3. live: event posted -> SSE subscriber notified with `--subscribers N`
 *    (default 1,000) subscriptions on one gateway, over the PostgreSQL
 *    NOTIFY feed and over Kafka (KAFKA_BROKERS, else a local broker from
 *    infra/kafka);
 * 4. relay: the event log copied to a Kafka topic (`--relay-events N`);
 * 5. replay: `GET /v1/events` read to the end over HTTP (`--replay-events N`,
 *    default 1,000,000), with the ingest process's memory.
 * 5b. sealing: appends and a whole replay of a log with personal text,
 *    by the plain store and by the sealing one in the same run
 *    (`--sealing-events N`, default 100,000), and the erasure of customers
 *    of 1,000 events each (docs/erasure.md).
 * 6. rebuild: every read model of the book rebuilt from its log into new
 *    tables and swapped in (`crh rebuild`), with this process's memory.
 * 7. access: what access control adds to a `relationships` page of the book,
 *    a gateway with it on against one with it off (`--samples N`).
 * 8. dashboard: the built page's initial JavaScript and CSS, raw and gzipped;
 *    then, in Debian's Chromium over the book, time to the first Neglected
 *    row for a lead at /team and an account manager at / (`--page-loads N`
 *    cold loads each), and a scroll of the organisation's Neglected list to
 *    its last row (frame times, waits for pages).
 * 9. sustained: ingest over HTTP at full speed (4 clients, batches of 500)
 *    for `--sustained-seconds` (60) with the live projection beside it, once
 *    per entry of `--projectors` (1,2: that many projector processes), the
 *    projection lag sampled every second and after the load until it is 0
 *    (at most `--sustained-drain-seconds`, 600): rates, the lag at the end,
 *    its trend, and each process's CPU.
 * 10. soak (only with `--only soak`: 30 minutes by default): steady ingest,
 *    queries, 200 SSE subscribers and a day turn every 3 minutes (the
 *    projector's clock shifted), with every process's RSS sampled.
 * `--only throughput|sustained|book|access|live|relay|replay|sealing|rebuild|dashboard|soak` runs one part.
 */
export async function benchCommand(config: PlatformConfig, flags: BenchFlags): Promise<void> {
  // The soak takes half an hour: only when asked for by name.
  const runs = (part: BenchPart) => flags.only === part || (flags.only === undefined && part !== 'soak');
  const embedded = config.env.DATABASE_URL
    ? null
    : await startEmbeddedPostgres(dataDir(), config.env.CRH_EMBEDDED_PG_PORT, log);
  const adminUrl = embedded?.adminUrl ?? withDatabase(config.env.DATABASE_URL!, 'postgres');
  const results: BenchResults = {};
  const kafka = runs('live') || runs('relay') ? await benchKafka(config, log) : null;
  try {
    if (runs('throughput')) {
      results.throughput = await benchThroughput(adminUrl, config, {
        events: flags.events ?? 200_000,
        concurrency: flags.concurrency ?? 4,
        batch: flags.batch ?? config.env.PROJECTOR_BATCH_SIZE,
        projectors: flags.projectors ?? [1, 2],
        log,
      });
    }
    if (runs('sustained')) {
      results.sustained = await benchSustained(adminUrl, {
        seconds: flags.sustainedSeconds ?? 60,
        projectors: flags.projectors ?? [1, 2],
        drainCapSeconds: flags.sustainedDrainSeconds ?? 600,
        log,
      });
    }
    const customers = flags.customers ?? LARGE_BOOK.customers;
    const book = { ...LARGE_BOOK, customers, managers: Math.max(1, Math.round(customers / 200)) };
    if (runs('book')) {
      const loaded = await loadBook(adminUrl, book, config, { fresh: flags.fresh ?? false, log });
      const { url, ...figures } = loaded;
      const samples = flags.samples ?? 300;
      // One token asks thousands of queries a minute: the rate limit is not what is measured.
      const unlimited = { CRH_RATE_LIMIT: '1000000/min' };
      const latencies = await withServices(url, unlimited, async ({ ingest, graphql, authorization }) => {
        log(`measuring queries, ${samples} samples each ...`);
        const queries = await benchQueries(graphql, book, samples, authorization);
        log('measuring late events ...');
        const late = await benchLateEvents(ingest, graphql, book, config.rules.timeZone, 30, authorization);
        return [...queries, late];
      });
      results.book = { ...figures, customers, latencies };
      await noteLateEvents(url); // they stay in the kept book
    }
    if (runs('access')) {
      // The book the book part loaded (or loads it first when it runs alone).
      const loaded = await loadBook(adminUrl, book, config, { fresh: false, log });
      results.access = await benchAccess(loaded.url, book, flags.samples ?? 300, log);
    }
    if (runs('live') && kafka) {
      const live = {
        subscribers: flags.subscribers ?? 1_000,
        events: flags.liveEvents ?? 300,
        ratePerSecond: 20,
        log,
      };
      const notify = { ...live, feed: 'postgres NOTIFY', env: { CHANGE_FEED: 'postgres' } };
      results.live = [
        await benchSubscriptions(adminUrl, notify),
        // Per-subscriber scoping: every subscriber an account manager on its
        // own book (one book each), then all on one book (the full fan-out
        // of the run above, through the scoping path).
        await benchSubscriptions(adminUrl, { ...notify, managers: live.subscribers }),
        await benchSubscriptions(adminUrl, { ...notify, managers: 1 }),
        await benchSubscriptions(adminUrl, {
          ...live,
          feed: `kafka (${kafka.description})`,
          env: {
            CHANGE_FEED: 'kafka',
            KAFKA_BROKERS: kafka.brokers.join(','),
            CHANGE_FEED_TOPIC: `crh.changes.bench-${Date.now()}`,
          },
        }),
      ];
    }
    if (runs('relay') && kafka) {
      const rounds = await benchRelay(adminUrl, kafka.brokers, {
        events: flags.relayEvents ?? 200_000,
        log,
      });
      results.relay = { rounds, brokers: kafka.description };
    }
    if (runs('rebuild')) {
      // After the book part when both run: it reuses the book that part kept.
      const loaded = await loadBook(adminUrl, book, config, { fresh: false, log });
      results.rebuild = await benchRebuild(loaded.url, config, log);
    }
    if (runs('dashboard')) {
      const loaded = await loadBook(adminUrl, book, config, { fresh: false, log });
      results.dashboard = await benchDashboard(loaded.url, {
        loads: flags.pageLoads ?? 10,
        scrollStepPx: 1_000,
        scrollLimitMs: 15 * 60_000,
        chromium: '/usr/bin/chromium',
        log,
      });
    }
    if (runs('soak')) {
      results.soak = await benchSoak(adminUrl, {
        minutes: flags.soakMinutes ?? 30,
        eventsPerSecond: flags.soakRate ?? 50,
        subscribers: flags.subscribers ?? 200,
        dayEveryMs: flags.soakDayMs ?? 180_000,
        log,
      });
    }
    if (runs('sealing')) {
      results.sealing = await benchSealing(adminUrl, {
        events: flags.sealingEvents ?? 100_000,
        erasures: 20,
        log,
      });
    }
    if (runs('replay')) {
      results.replay = await benchReplay(adminUrl, {
        events: flags.replayEvents ?? 1_000_000,
        log,
      });
    }
  } finally {
    await kafka?.stop();
    await embedded?.stop();
  }
  report(results);
  const out = join(dataDir(), 'bench');
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, 'results.json'),
    JSON.stringify({ machine: machine(), at: new Date().toISOString(), ...results }, null, 2),
  );
}

function report(results: BenchResults): void {
  log(`machine: ${machine()}`);
  for (const f of results.throughput?.figures ?? []) {
    log(
      `${f.name.padEnd(45)} ${String(f.perSecond).padStart(8)} events/s  (${f.events} in ${f.seconds.toFixed(2)} s)`,
    );
    if (f.phases) {
      const s = (ms: number) => seconds(ms, 2);
      log(
        `  new tables loaded in ${s(f.phases.loadMs)}, indexed in ${s(f.phases.indexMs)}, swapped in in ${s(f.phases.swapMs)}`,
      );
    }
    if (f.batches) {
      const b = f.batches;
      const s = (ms: number) => seconds(ms, 1);
      log(
        `  batches: reading ${s(b.readMs)}, folding ${s(b.foldMs)}, intervals ${s(b.intervalsMs)}, signals ${s(b.signalsMs)}, customers and feed ${s(b.saveMs)}, shared KPI rows ${s(b.kpiMs)}`,
      );
    }
    if (f.cpu) {
      const c = (v: number | null) => (v === null ? '?' : `${v.toFixed(1)} s`);
      log(`  CPU: projector ${c(f.cpu.projectors)}, PostgreSQL ${c(f.cpu.postgres)}`);
    }
  }
  if (results.throughput) log(results.throughput.summary);
  if (results.sustained) reportSustained(results.sustained);
  const access = results.access;
  if (access) {
    logLatencies([access.on, access.off, access.verify]);
    log(
      `access control adds ${access.added.p50} ms at p50, ${access.added.p95} ms at p95, ${access.added.pairedMedian} ms in the median pair (aim: under 1 ms)`,
    );
  }
  for (const live of results.live ?? []) {
    log(
      `${live.feed}: ${live.subscribers} SSE subscribers as ${live.scope}, ${live.events} events at 20/s, ${live.deliveries} deliveries, ${live.missing} missing, ${live.foreign} outside the book; gateway CPU ${live.gatewayCpuSeconds ?? '?'} s`,
    );
    logLatencies([live.delivery, live.lastSubscriber]);
  }
  const relay = results.relay;
  for (const round of relay?.rounds ?? []) {
    log(
      `relay to Kafka (${relay?.brokers}, ${round.round}): ${round.events} events in ${round.seconds.toFixed(2)} s = ${round.eventsPerSecond} events/s`,
    );
  }
  for (const r of results.replay ?? []) {
    log(
      `replay NDJSON, ${r.name}: ${r.events} events (${r.megabytes} MiB) in ${r.seconds.toFixed(2)} s = ${r.eventsPerSecond} events/s; ingest RSS ${r.rssBeforeMiB} -> peak ${r.rssPeakMiB} MiB`,
    );
  }
  const sealing = results.sealing;
  if (sealing) {
    const { append, replay } = sealing;
    log(
      `sealing, ${sealing.events} events (${sealing.personalShare}% with personal data): append ${append.plainPerSecond} -> ${append.sealedPerSecond} events/s (${append.slowerPercent}% fewer); ` +
        `store replay ${replay.plainPerSecond} -> ${replay.sealedPerSecond} events/s (${replay.slowerPercent}% fewer) (aim: at most 15%)`,
    );
    logLatencies([sealing.erase]);
  }
  const rebuild = results.rebuild;
  if (rebuild) {
    const s = (ms: number) => seconds(ms, 1);
    log(
      `rebuild: ${rebuild.events} events of ${rebuild.customers} customers in ${rebuild.seconds.toFixed(1)} s = ${rebuild.perSecond} events/s ` +
        `(load ${s(rebuild.phases.loadMs)}, indexes ${s(rebuild.phases.indexMs)}, swap ${s(rebuild.phases.swapMs)}); ` +
        `RSS ${rebuild.rssMiB.before} MiB before, peak per third ${rebuild.rssMiB.peakByThird.join(' / ')} MiB`,
    );
  }

  const soak = results.soak;
  if (soak) {
    log(
      `soak: ${soak.minutes} min, ${soak.eventsPosted} events posted (${soak.postErrors} refused), ${soak.queries.samples} queries (${soak.queryErrors} errors), ${soak.subscribers} subscribers (${soak.subscriptionsLost} lost), messages ${JSON.stringify(soak.messages)}, ${soak.daysTurned} days turned (status changes announced for ${soak.statusDays} days); projector caught up ${soak.drainSeconds} s after the load`,
    );
    for (const [name, m] of Object.entries(soak.memory)) {
      log(
        `soak RSS ${name.padEnd(10)} warm ${m.warmMiB} MiB, end ${m.endMiB} MiB, peak ${m.peakMiB} MiB, slope after warm-up ${m.slopeMiBPerHour} MiB/hour (V8 heap in use: ${m.heapSlopeMiBPerHour ?? '?'} MiB/hour)`,
      );
    }
    for (const [why, n] of Object.entries(soak.queryErrorKinds)) log(`soak query error x${n}: ${why}`);
    logLatencies([soak.queries]);
  }
  if (results.dashboard) reportDashboard(results.dashboard);
  const book = results.book;
  if (!book) return;
  log(
    `book: ${book.customers} customers, ${book.events} events, ${book.intervals} status intervals; sizes ${JSON.stringify(book.sizes)}`,
  );
  if (book.build) {
    const { events, seconds } = book.build;
    log(
      `book built from the log, customer by customer: ${events} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)} events/s`,
    );
  }
  logLatencies(book.latencies);
}

function reportSustained(s: SustainedFigures): void {
  const n = (x: number | null) => (x === null ? '?' : x.toLocaleString('en-US'));
  const c = (x: number | null) => (x === null ? '?' : x.toFixed(2));
  // The services' backends by name (crh-ingest 0.41, crh-projector 0.52); others summed.
  const clients = (by: Record<string, number>) => {
    const named = Object.entries(by)
      .filter(
        ([client]) =>
          (client.startsWith('crh-') && !client.startsWith('crh-bench')) || client === 'autovacuum worker',
      )
      .sort(([a], [b]) => a.localeCompare(b));
    const rest = Object.entries(by)
      .filter(([client]) => !named.some(([n]) => n === client))
      .reduce((sum, [, cores]) => sum + cores, 0);
    return [
      ...named.map(([client, cores]) => `${client.replace(/^crh-| worker$/g, '')} ${c(cores)}`),
      `other ${c(rest)}`,
    ].join(', ');
  };
  const rows: [string, (r: SustainedRun) => string][] = [
    ['events ingested', (r) => n(r.eventsIngested) + (r.bookExhausted ? ' (book exhausted)' : '')],
    ['batches refused', (r) => n(Object.values(r.refused).reduce((a, b) => a + b, 0))],
    ['ingest, events/s', (r) => n(r.ingestPerSecond)],
    [
      'projected, events/s: load / load + drain',
      (r) => `${n(r.projectedPerSecond.load)} / ${n(r.projectedPerSecond.withDrain)}`,
    ],
    ['projected while draining, events/s', (r) => n(r.drainPerSecond)],
    [
      'lag at the end of the load: events / s',
      (r) => `${n(r.lag.end.events)} / ${r.lag.end.seconds.toFixed(1)}`,
    ],
    [
      'not yet projected then (ingested - projected)',
      (r) => n(r.projectedAtLoadEnd === null ? null : r.eventsIngested - r.projectedAtLoadEnd),
    ],
    ['max lag: events / s', (r) => `${n(r.lag.max.events)} / ${r.lag.max.seconds.toFixed(1)}`],
    [
      'lag slope, 2nd half: s/s (events/s)',
      (r) => `${r.lag.slope.secondsPerSecond.toFixed(3)} (${n(Math.round(r.lag.slope.eventsPerSecond))})`,
    ],
    [
      'drain to lag 0, s',
      (r) => (r.drainSeconds === null ? 'not within the cap' : r.drainSeconds.toFixed(1)),
    ],
    [
      `verdict (flat: end < ${KEEPS_UP.maxEndLagSeconds} s, slope <= ${KEEPS_UP.maxSlopeSecondsPerSecond} s/s)`,
      (r) => r.lag.verdict,
    ],
    ['CPU in the load, cores: ingest', (r) => c(r.cpu.load.ingest)],
    ['  projectors', (r) => r.cpu.load.projectors.map(c).join(' + ')],
    ['  postgres', (r) => c(r.cpu.load.postgres)],
    ['    of which backends of', (r) => clients(r.postgresByClient.load)],
    ['  gateway / bench', (r) => `${c(r.cpu.load.gateway)} / ${c(r.cpu.load.bench)}`],
    ['CPU in the drain, cores: projectors', (r) => r.cpu.drain.projectors.map(c).join(' + ')],
    ['  postgres', (r) => c(r.cpu.drain.postgres)],
    ['    of which backends of', (r) => clients(r.postgresByClient.drain)],
  ];
  const heads = s.runs.map((r) => `${r.projectors} projector${r.projectors === 1 ? '' : 's'}`);
  const title = `sustained ingest, ${s.seconds} s, ${s.clients} clients x ${s.batch}, ${n(s.customers)} customers`;
  const width = Math.max(title.length, ...rows.map(([name]) => name.length));
  const cellWidth = Math.max(16, ...s.runs.flatMap((r) => rows.map(([, cell]) => cell(r).length)));
  log(`${title.padEnd(width)} ${heads.map((h) => h.padStart(cellWidth)).join(' ')}`);
  for (const [name, cell] of rows)
    log(`${name.padEnd(width)} ${s.runs.map((r) => cell(r).padStart(cellWidth)).join(' ')}`);
  for (const r of s.runs)
    for (const [why, count] of Object.entries(r.refused))
      log(`sustained, ${r.projectors} projector(s), refused x${count}: ${why}`);
}

function reportDashboard(d: DashboardFigures): void {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const sum = (files: readonly { bytes: number; gzipBytes: number }[]) => ({
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
  });
  const js = sum(d.assets.initial.js);
  const css = sum(d.assets.initial.css);
  log(`${'dashboard assets'.padEnd(40)} ${'raw'.padStart(11)} ${'gzip -9'.padStart(11)}`);
  for (const f of [...d.assets.initial.js, ...d.assets.initial.css])
    log(`  ${f.file.padEnd(38)} ${kb(f.bytes).padStart(11)} ${kb(f.gzipBytes).padStart(11)}`);
  log(
    `${'initial JS (aim: under 200 KiB gzip)'.padEnd(40)} ${kb(js.bytes).padStart(11)} ${kb(js.gzipBytes).padStart(11)}`,
  );
  log(`${'initial CSS'.padEnd(40)} ${kb(css.bytes).padStart(11)} ${kb(css.gzipBytes).padStart(11)}`);
  log(
    `${`all ${d.assets.all.files} assets`.padEnd(40)} ${kb(d.assets.all.bytes).padStart(11)} ${kb(d.assets.all.gzipBytes).padStart(11)}`,
  );
  log(`load average (1 min) ${d.loadAverage.before} before the browser, ${d.loadAverage.after} after`);
  logLatencies(d.firstRow.map((l) => ({ ...l, meanRows: l.rowsInList })));
  const s = d.scroll;
  log(
    `scroll of the organisation's Neglected list (${s.rows} rows) to its last row: ${s.seconds} s, ${s.frames} frames, ` +
      `frame p50 ${s.frameP50} ms, p95 ${s.frameP95} ms, max ${s.frameMax} ms, ${s.dropped} over 50 ms; ` +
      `${s.stalledSeconds} s holding still for rows to load`,
  );
  logLatencies([s.stalls, s.requests].filter((l) => l !== null));
}

function logLatencies(latencies: readonly Latency[]): void {
  log(`${'latency, ms'.padEnd(58)}   p50    p95    p99    max   rows`);
  for (const l of latencies) {
    const cells = [l.p50, l.p95, l.p99, l.max].map((n) => n.toFixed(1).padStart(6)).join(' ');
    log(`${l.name.padEnd(58)} ${cells} ${String(l.meanRows ?? '').padStart(6)}`);
  }
}

const machine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The late events measured went into the kept book: its stored count follows. */
async function noteLateEvents(url: string): Promise<void> {
  const pool = createPgPool(url, { max: 1, applicationName: 'crh-bench' });
  try {
    await pool.query('update crh.bench_book set events = (select count(*) from crh.events)');
  } finally {
    await pool.end();
  }
}

const seconds = (ms: number, digits: number) => `${(ms / 1000).toFixed(digits)} s`;
