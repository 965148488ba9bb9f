import { readFileSync } from 'node:fs';
import { recreateDatabase } from '@crh/embedded-postgres';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import getPort from 'get-port';
import { temporaryLocalAuth } from '../platform/local-auth.ts';
import { spawnServices, stopServices, waitForHttp } from '../platform/service-processes.ts';
import { copyRows, eventRows } from './bench-copy.ts';
import { benchLog } from './book-generator.ts';

export interface ReplayFigure {
  name: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  megabytes: number;
  /** The ingest process's resident memory before the replay and its peak during it, MiB. */
  rssBeforeMiB: number;
  rssPeakMiB: number;
}

/**
 * Replay throughput as a data team sees it: `events` events COPY-loaded into
 * a fresh `crh_bench_replay` log, the ingest service as a process, and
 * `GET /v1/events` read to the end over HTTP by this process (counting
 * lines), whole and filtered; the ingest process's memory sampled meanwhile.
 */
export async function benchReplay(
  adminUrl: string,
  options: { events: number; log: (line: string) => void },
): Promise<ReplayFigure[]> {
  const url = await recreateDatabase(adminUrl, 'crh_bench_replay');
  const pool = createPgPool(url, { max: 2, applicationName: 'crh-bench' });
  const store = createPostgresEventStore({ pool });
  try {
    await store.migrate();
    options.log(`loading ${options.events} events with COPY ...`);
    await copyRows(pool, 'crh.events', eventRows(benchLog(options.events)));
    await pool.query('vacuum analyze crh.events');
  } finally {
    await store.close();
    await pool.end();
  }
  const port = await getPort();
  const auth = await temporaryLocalAuth();
  const [ingest] = spawnServices(['ingest'], {
    ...process.env,
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    INGEST_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...auth.env,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);
    const figures: ReplayFigure[] = [];
    for (const [name, query] of [
      ['whole log', ''],
      ['one type (ComplaintReceived)', '?types=ComplaintReceived'],
      ['a quarter by occurredAt', '?from=2026-01-01T00:00:00Z&to=2026-03-31T23:59:59Z'],
    ] as const) {
      options.log(`replaying ${name} ...`);
      const authorization = await auth.bearer(['analyst'], { sub: 'crh-bench' });
      figures.push(await timeReplay(name, `${base}/v1/events${query}`, authorization, ingest!.pid!));
    }
    return figures;
  } finally {
    await stopServices([ingest!]);
    await auth.remove();
  }
}

async function timeReplay(
  name: string,
  url: string,
  authorization: string,
  pid: number,
): Promise<ReplayFigure> {
  const rssBefore = rssMiB(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMiB(pid));
  }, 50);
  const started = performance.now();
  let events = 0;
  let bytes = 0;
  try {
    const response = await fetch(url, { headers: { authorization } });
    if (!response.ok || !response.body) throw new Error(`replay answered ${response.status}`);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) events += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    name,
    events,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    megabytes: Math.round(bytes / 2 ** 20),
    rssBeforeMiB: rssBefore,
    rssPeakMiB: rssPeak,
  };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
