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

const lockHash = () => createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (have !== lockHash()) {
  // `npm install` (not `npm ci`): npm 11 writes lock files without the other
  // platforms' optional binaries (biome, turbo) here, which `npm ci` rejects;
  // install still keeps every version the lock file pins.
  console.log('[crh] installing dependencies (npm install) ...');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[crh] npm install failed');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${lockHash()}\n`);
}
