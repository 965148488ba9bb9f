import type { PlatformConfig } from '@crh/config';
import { CustomerKeys, encryptExistingEvents, migrateCustomerKeys } from '@crh/event-store/encryption';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { sealingOptionsOf } from '@crh/service-runtime';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';

export interface EncryptExistingFlags {
  /** Events per transaction (default 1,000). */
  batch?: number | undefined;
}

const log = (line: string) => console.log(`[crh encrypt-existing] ${line}`);

/**
 * `crh encrypt-existing`: seals, in place, the personal fields of events
 * stored before sealing (docs/erasure.md, "Events stored before sealing"),
 * while the platform runs; Ctrl-C stops it between batches, and the next
 * run resumes. PostgreSQL's log only: EventStoreDB's events cannot be
 * rewritten. Returns the exit code.
 */
export async function encryptExistingCommand(
  config: PlatformConfig,
  flags: EncryptExistingFlags,
): Promise<number> {
  if (config.env.EVENT_STORE !== 'postgres') {
    console.error(
      '[crh encrypt-existing] EVENT_STORE=eventstoredb: its events cannot be rewritten in place; see docs/erasure.md, "Events stored before sealing"',
    );
    return 1;
  }
  const sealing = await sealingOptionsOf(config, dataDir());
  const database = await openPlatformDatabase(config, log, 'crh', true);
  const pool = createPgPool(database.url, { max: 3, applicationName: 'crh-encrypt-existing' });
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await createPostgresEventStore({ pool }).migrate();
    await migrateCustomerKeys(pool);
    const keys = new CustomerKeys(pool, sealing);
    await keys.verifyMaster();
    const started = performance.now();
    const result = await encryptExistingEvents(pool, keys, {
      batchSize: flags.batch,
      signal: stop.signal,
      onBatch: (p) => log(`${p.sealed} event(s) sealed, up to row ${p.afterPosition} of ${p.endPosition}`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (stop.signal.aborted) {
      log(`stopped after row ${result.afterPosition}; run it again to go on`);
      return 130;
    }
    const done = `done in ${seconds} s: ${result.sealed} event(s) sealed (${result.nulled} of erased customers, their values nulled)`;
    if (result.remaining > 0) {
      log(
        `${done}; ${result.remaining} event(s) were being appended meanwhile by an older version: run it again`,
      );
      return 1;
    }
    log(
      `${done}; no event holds personal data in plaintext. VACUUM crh.events drops the old row versions now rather than at autovacuum`,
    );
    return 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await pool.end();
    await database.stop();
  }
}
