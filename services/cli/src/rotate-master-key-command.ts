import type { PlatformConfig } from '@crh/config';
import { CustomerKeys, migrateCustomerKeys } from '@crh/event-store/encryption';
import { createPgPool } from '@crh/postgres';
import { sealingOptionsOf } from '@crh/service-runtime';
import { dataDir } from './platform/data-dir.ts';
import { openPlatformDatabase } from './platform/platform-database.ts';

const log = (line: string) => console.log(`[crh rotate-master-key] ${line}`);

/**
 * `crh rotate-master-key`: re-wraps every customer's data key under the
 * master key of CRH_MASTER_KEY_FILE, opening those wrapped by an older one
 * with CRH_PREVIOUS_MASTER_KEY_FILES (docs/erasure.md, "Rotating the master
 * key"). No event is touched; running it again re-wraps none. Returns the
 * exit code.
 */
export async function rotateMasterKeyCommand(config: PlatformConfig): Promise<number> {
  const sealing = await sealingOptionsOf(config, dataDir());
  const database = await openPlatformDatabase(config, log, 'crh', true);
  const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-rotate-master-key' });
  try {
    await migrateCustomerKeys(pool);
    const rewrapped = await new CustomerKeys(pool, sealing).rewrapAll();
    const { rows } = await pool.query<{ n: number }>(
      'select count(*)::int as n from crh.customer_keys where wrapped is not null',
    );
    log(`${rewrapped} data key(s) re-wrapped; all ${rows[0]!.n} now under master key ${sealing.master.id}`);
    return 0;
  } finally {
    await pool.end();
    await database.stop();
  }
}
