import type { PlatformConfig } from '@crh/config';
import { CustomerKeys, type CustomerKeysOptions, loadMasterKey } from '@crh/event-store/encryption';
import type { Pool } from 'pg';

/**
 * How a process seals and opens customers' personal data (docs/erasure.md):
 * the master key (CRH_MASTER_KEY_FILE, or the one under CRH_DATA_DIR,
 * created on first start), the older ones still being rotated away, and the
 * key cache's bounds.
 */
export async function sealingOptionsOf(
  config: PlatformConfig,
  /** The data directory the platform's processes share; a service's is CRH_DATA_DIR (else `.crh`), the cli passes its own. */
  dataDir = config.env.CRH_DATA_DIR ?? '.crh',
): Promise<CustomerKeysOptions> {
  const previousFiles = (config.env.CRH_PREVIOUS_MASTER_KEY_FILES ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file.length > 0);
  return {
    master: await loadMasterKey({ file: config.env.CRH_MASTER_KEY_FILE, dataDir }),
    previous: await Promise.all(previousFiles.map((file) => loadMasterKey({ file, dataDir }))),
    cacheSize: config.env.CRH_KEY_CACHE_SIZE,
    cacheTtlMs: config.env.CRH_KEY_CACHE_TTL_MS,
  };
}

/**
 * Stops a process whose master key is not the one the database's customer
 * keys are wrapped by (MasterKeyMismatchError, saying what to give it),
 * before it seals or opens anything; a new database records this one's.
 */
export async function verifyMasterKey(pool: Pool, sealing: CustomerKeysOptions): Promise<void> {
  await new CustomerKeys(pool, sealing).verifyMaster();
}
