import type { PlatformConfig } from '@crh/config';
import { type CustomerKeysOptions, loadMasterKey } from '@crh/event-store/encryption';

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
