// Runs before `npm start`, `npm test` and `npm run bench` so that a fresh clone
// needs no separate install step. Plain JS on purpose: it runs on whatever Node
// started npm (possibly an old one); everything after it runs on the Node 24
// that the `node` devDependency puts first on the PATH of npm scripts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.crh-install-stamp');

const wanted = createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (have !== wanted) {
  console.log('[crh] installing dependencies (npm ci) ...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[crh] npm ci failed');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${wanted}\n`);
}
