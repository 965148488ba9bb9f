import { readFileSync } from 'node:fs';
import type { IncomingEvent } from '@crh/domain';
import { recreateDatabase } from '@crh/embedded-postgres';
import {
  CustomerKeys,
  holdsPersonalData,
  loadMasterKey,
  type MasterKey,
  migrateCustomerKeys,
  sealEvent,
} from '@crh/event-store/encryption';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import getPort from 'get-port';
import { temporaryLocalAuth } from '../platform/local-auth.ts';
import { spawnServices, stopServices, waitForHttp } from '../platform/service-processes.ts';
import { copyRows, eventRows } from './bench-copy.ts';
import { withPersonalText } from './bench-sealing.ts';
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
 * Replay throughput as a data team sees it: `events` events (the book's,
 * with the text a CRM records) COPY-loaded into a fresh `crh_bench_replay`
 * log, the ingest service as a process, and `GET /v1/events` read to the end
 * over HTTP by this process (counting lines), whole and filtered; the ingest
 * process's memory sampled meanwhile. Then the same events stored sealed
 * (as ingest stores them now), replayed whole: what sealing costs a replay.
 */
export async function benchReplay(
  adminUrl: string,
  options: { events: number; log: (line: string) => void },
): Promise<ReplayFigure[]> {
  const auth = await temporaryLocalAuth();
  try {
    const events = withPersonalText(benchLog(options.events));
    const plain = await loadLog(adminUrl, 'crh_bench_replay', events, null, options.log);
    const figures = await replayOver(
      plain,
      auth,
      [
        ['whole log', ''],
        ['one type (ComplaintReceived)', '?types=ComplaintReceived'],
        ['a quarter by occurredAt', '?from=2026-01-01T00:00:00Z&to=2026-03-31T23:59:59Z'],
      ],
      options.log,
    );
    // The same events stored sealed (as ingest stores them now), with the
    // master key the ingest process reads from its data directory.
    const master = await loadMasterKey({ dataDir: auth.env.CRH_DATA_DIR! });
    const sealed = await loadLog(adminUrl, 'crh_bench_replay_sealed', events, master, options.log);
    figures.push(
      ...(await replayOver(sealed, auth, [['whole log, personal fields sealed', '']], options.log)),
    );
    return figures;
  } finally {
    await auth.remove();
  }
}

/** A fresh log of `events`, loaded with COPY: as sent (plaintext), or sealed with keys under `master`. */
async function loadLog(
  adminUrl: string,
  name: string,
  events: readonly IncomingEvent[],
  master: MasterKey | null,
  log: (line: string) => void,
): Promise<string> {
  const url = await recreateDatabase(adminUrl, name);
  const pool = createPgPool(url, { max: 2, applicationName: 'crh-bench' });
  const store = createPostgresEventStore({ pool });
  try {
    await store.migrate();
    await migrateCustomerKeys(pool);
    let rows = events;
    if (master) {
      log(`sealing ${events.length} events ...`);
      const keys = new CustomerKeys(pool, { master, cacheSize: 1_000_000 });
      const ciphers = await keys.forSealing([...new Set(events.map((e) => e.customerId))]);
      rows = events.map((e) =>
        holdsPersonalData(e.data, e.metadata)
          ? (sealEvent(e, ciphers.get(e.customerId)!) as IncomingEvent)
          : e,
      );
    }
    log(`loading ${events.length} events with COPY into ${name} ...`);
    await copyRows(pool, 'crh.events', eventRows(rows));
    await pool.query('vacuum (freeze, analyze) crh.events');
    return url;
  } finally {
    await store.close();
    await pool.end();
  }
}

async function replayOver(
  url: string,
  auth: Awaited<ReturnType<typeof temporaryLocalAuth>>,
  rounds: readonly (readonly [string, string])[],
  log: (line: string) => void,
): Promise<ReplayFigure[]> {
  const port = await getPort();
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
    // One whole replay first, not measured: the first read of a log just
    // loaded pays for the server's cache and the rows' first visit (measured:
    // 59,524 events/s, then 195,488), and the ingest's keys are cold.
    log('warming up: one whole replay, not measured ...');
    await timeReplay(
      'warm-up',
      `${base}/v1/events`,
      await auth.bearer(['analyst'], { sub: 'crh-bench' }),
      ingest!.pid!,
    );
    const figures: ReplayFigure[] = [];
    for (const [name, query] of rounds) {
      log(`replaying ${name} ...`);
      const authorization = await auth.bearer(['analyst'], { sub: 'crh-bench' });
      figures.push(await timeReplay(name, `${base}/v1/events${query}`, authorization, ingest!.pid!));
    }
    return figures;
  } finally {
    await stopServices([ingest!]);
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
