import type { PlatformConfig } from '@crh/config';
import { ensureDatabase, recreateDatabase } from '@crh/embedded-postgres';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { createProjector } from '@crh/read-models/runner';
import { migrateReadModels, readModelFingerprint } from '@crh/read-models/schema';
import { copyRows, eventRows } from './bench-copy.ts';
import { type BookOptions, generateBook } from './book-generator.ts';

/**
 * The book the query figures are measured on: 100k customers of 500 account
 * managers over two years, ~3M events, 5% of them sent late.
 */
export const LARGE_BOOK: BookOptions = {
  customers: 100_000,
  managers: 500,
  eventsPerCustomer: 18,
  endDate: '2026-10-31',
  days: 730,
  seed: 42,
  lateShare: 0.05,
};

export interface LoadedBook {
  url: string;
  events: number;
  intervals: number;
  /** The projector building the read models over the whole book; null when a kept database was reused. */
  build: { events: number; seconds: number } | null;
  sizes: Record<string, string>;
}

const DATABASE = 'crh_bench_book';
const silent = { info: () => {}, warn: () => {}, error: (o: object) => console.error(o) };

/**
 * Loads the book into its own database and projects it, or reuses the
 * database a previous run left when it holds the same book projected with
 * the same read-model fingerprint (loading and projecting 3M events takes
 * minutes; the query figures do not need it every run).
 */
export async function loadBook(
  adminUrl: string,
  book: BookOptions,
  config: PlatformConfig,
  options: { fresh: boolean; log: (line: string) => void },
): Promise<LoadedBook> {
  const { log } = options;
  const key = JSON.stringify({ book, readModels: readModelFingerprint(config.rules) });
  let url = await ensureDatabase(adminUrl, DATABASE);
  if (!options.fresh) {
    const kept = await keptBook(url, key);
    if (kept !== null) {
      log(`reusing the projected book in database ${DATABASE} (--fresh rebuilds it)`);
      return { url, ...kept, build: null, sizes: await sizes(url) };
    }
  }
  url = await recreateDatabase(adminUrl, DATABASE);
  const pool = createPgPool(url, { max: 4, applicationName: 'crh-bench-book' });
  const store = createPostgresEventStore({ pool });
  try {
    await store.migrate();
    await migrateReadModels(pool);
    log(`generating a book of ${book.customers} customers ...`);
    let events: ReturnType<typeof generateBook> | null = generateBook(book);
    const count = events.length;
    log(`loading ${count} events with COPY (append throughput is measured on its own) ...`);
    await copyRows(pool, 'crh.events', eventRows(events));
    events = null; // the log is in the database now; let the heap go
    await pool.query('analyze crh.events');

    log('building the read models from the log (a projector starting over an existing log) ...');
    const projector = createProjector({
      store,
      pool,
      logger: silent,
      context: config.rules,
      batchSize: config.env.PROJECTOR_BATCH_SIZE,
    });
    const started = performance.now();
    await projector.catchUp();
    const seconds = (performance.now() - started) / 1000;
    await pool.query('vacuum analyze crh.rm_relationship_intervals');
    await pool.query('create table crh.bench_book (key text not null, events integer not null)');
    await pool.query('insert into crh.bench_book values ($1, $2)', [key, count]);
    const intervals = await intervalCount(pool);
    return {
      url,
      events: count,
      intervals,
      build: { events: count, seconds },
      sizes: await sizes(url),
    };
  } finally {
    await store.close();
    await pool.end();
  }
}

async function keptBook(url: string, key: string): Promise<{ events: number; intervals: number } | null> {
  const pool = createPgPool(url, { max: 1, applicationName: 'crh-bench-book' });
  try {
    const { rows } = await pool.query<{ key: string; events: number }>(
      'select key, events from crh.bench_book',
    );
    if (rows[0]?.key !== key) return null;
    return { events: rows[0].events, intervals: await intervalCount(pool) };
  } catch {
    return null; // no book table: an interrupted or older run
  } finally {
    await pool.end();
  }
}

async function intervalCount(pool: ReturnType<typeof createPgPool>): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from crh.rm_relationship_intervals',
  );
  return rows[0]!.n;
}

async function sizes(url: string): Promise<Record<string, string>> {
  const pool = createPgPool(url, { max: 1, applicationName: 'crh-bench-book' });
  try {
    const { rows } = await pool.query<{ name: string; size: string }>(
      `select c.relname as name, pg_size_pretty(pg_total_relation_size(c.oid)) as size
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'crh' and c.relname in ('events', 'rm_relationship_intervals', 'rm_relationships')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.size]));
  } finally {
    await pool.end();
  }
}
