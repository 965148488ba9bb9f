import type { PlatformConfig } from '@crh/config';
import { openEventStore } from '@crh/event-store/open';
import { createPgPool } from '@crh/postgres';
import { buildRelationships } from '@crh/read-models/rebuild';
import {
  RELATIONSHIPS_PROJECTION,
  readCheckpoint,
  readModelsBuiltWithOtherRules,
} from '@crh/read-models/schema';
import { sealingOptionsOf } from '@crh/service-runtime';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';
import { migrateDatabase, projectorRoleToActAs, serviceRoleNames } from './platform/service-roles.ts';

const log = (line: string) => console.log(`[crh rebuild] ${line}`);
const seconds1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every read model is one projection today (one checkpoint covers them all). */
export const PROJECTIONS = ['relationships'] as const;

/**
 * `crh rebuild [relationships]`: rebuilds the read models from the log while
 * the platform runs. The new rows are built in shadow tables and swapped in
 * in one short transaction: queries keep the old views until the swap, then
 * see the new ones at once; the running projector goes on meanwhile, and the
 * swap applies what it did during the build. Returns the exit code.
 */
export async function rebuildCommand(config: PlatformConfig): Promise<number> {
  const database = await openPlatformDatabase(config, log, 'crh', true);
  // Migrated as the owner first; then the build runs as the projector's role when there is one.
  const owner = createPgPool(database.url, { max: 1, applicationName: 'crh-rebuild' });
  let role: string | undefined;
  try {
    await migrateDatabase(owner, config.env.EVENT_STORE);
    role = await projectorRoleToActAs(owner, serviceRoleNames(config.env.CRH_DB_ROLE_PREFIX));
  } catch (error) {
    await database.stop();
    throw error;
  } finally {
    await owner.end();
  }
  const pool = createPgPool(database.url, { max: 4, applicationName: 'crh-rebuild', role });
  const store = await openEventStore({
    kind: config.env.EVENT_STORE,
    pool,
    esdbUrl: config.env.ESDB_URL,
    sealing: await sealingOptionsOf(config, dataDir()),
  });
  try {
    if (role) log(`building as the projector's database role ${role}`);
    if (await readModelsBuiltWithOtherRules(pool, config.rules)) {
      // A rebuild with other rules than the running projector's would be
      // undone by it: a configuration change is the projector's to apply.
      console.error(
        'crh rebuild: the read models were built with another time zone, tier policy or cadence than this configuration. ' +
          'To change the rules, restart the projector with the new settings: it rebuilds while the old views keep serving.',
      );
      return 1;
    }
    const head = await store.headPosition();
    if (head === null) {
      log('the log is empty: nothing to rebuild');
      return 0;
    }
    // Up to what the projector has applied: the new tables then catch up
    // with it at the swap, so nothing it has not announced yet is skipped.
    const upTo = (await readCheckpoint(pool, RELATIONSHIPS_PROJECTION)) ?? head;
    log(
      `rebuilding from the log up to ${upTo} (database: ${database.description}); the current views serve meanwhile`,
    );
    const started = performance.now();
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 200);
    const built = await buildRelationships(pool, store, config.rules, upTo, () => new Date(), {
      force: true,
    }).finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    if (built) {
      log(
        `done: ${built.events} events of ${built.customers} customers in ${seconds.toFixed(1)} s ` +
          `(${Math.round(built.events / seconds)} events/s, peak memory ${Math.round(peakRss / 2 ** 20)} MiB; ` +
          `load ${seconds1(built.timings.loadMs)}, indexes ${seconds1(built.timings.indexMs)}, ` +
          `swap ${seconds1(built.timings.swapMs)} with ${built.caughtUp} events applied meanwhile); ` +
          `the projector goes on after ${built.upTo}`,
      );
    }
    return 0;
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
}
