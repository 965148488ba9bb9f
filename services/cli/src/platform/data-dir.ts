import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reachableByOthers } from '@crh/embedded-postgres';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Where the embedded PostgreSQL keeps its data: `CRH_DATA_DIR`, else `.crh/` in
 * the clone. As root the server runs as the `postgres` user, which must be able
 * to walk down to the directory; a clone under e.g. /root (mode 700) is not, so
 * then the data goes to a per-clone folder in the temp directory instead.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRH_DATA_DIR) return resolve(env.CRH_DATA_DIR);
  const inRepo = join(repoRoot, '.crh');
  if (userInfo().uid !== 0 || reachableByOthers(inRepo)) return inRepo;
  const id = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return join(tmpdir(), `crh-${id}`);
}
