import type { PlatformConfig } from '@crh/config';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { buildRelationships } from '@crh/read-models/rebuild';

export interface RebuildFigure {
  events: number;
  customers: number;
  seconds: number;
  perSecond: number;
  phases: { loadMs: number; indexMs: number; swapMs: number };
  /** Resident memory of this process: before, and the highest in each third of the build (flat: alike). */
  rssMiB: { before: number; peakByThird: [number, number, number] };
}

/**
 * `crh rebuild` on the book, in this process: every read model built anew
 * from the log into new tables and swapped in, as an operator's rebuild does
 * while the platform runs (here nothing else runs).
 */
export async function benchRebuild(
  url: string,
  config: PlatformConfig,
  log: (line: string) => void,
): Promise<RebuildFigure> {
  const pool = createPgPool(url, { max: 4, applicationName: 'crh-bench-rebuild' });
  const store = createPostgresEventStore({ pool });
  try {
    const upTo = (await store.headPosition())!;
    log(`rebuilding the book's read models (up to ${upTo}) ...`);
    global.gc?.();
    const rss = () => process.memoryUsage.rss() / 2 ** 20;
    const before = rss();
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rss()), 250);
    const started = performance.now();
    const built = await buildRelationships(pool, store, config.rules, upTo, () => new Date(), {
      force: true,
    }).finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    if (!built) throw new Error('the forced build did not run');
    const third = Math.ceil(samples.length / 3);
    const peak = (part: number[]) => Math.round(Math.max(0, ...part));
    return {
      events: built.events,
      customers: built.customers,
      seconds,
      perSecond: Math.round(built.events / seconds),
      phases: built.timings,
      rssMiB: {
        before: Math.round(before),
        peakByThird: [
          peak(samples.slice(0, third)),
          peak(samples.slice(third, 2 * third)),
          peak(samples.slice(2 * third)),
        ],
      },
    };
  } finally {
    await store.close();
    await pool.end();
  }
}
