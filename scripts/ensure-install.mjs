// Runs before `npm start`, `npm test` and `npm run bench` so that a fresh clone
// needs no separate install step. Plain JS on purpose: it runs on whatever Node
// started npm (possibly an old one); everything after it runs on the Node 24
// that the `node` devDependency puts first on the PATH of npm scripts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb } from './build-web.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.crh-install-stamp');

const lockHash = () => createHash('sha256').update(readFileSync(lockFile)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
// npm's own record of the last install: newer than the lock file means the
// user ran `npm ci` (or `npm install`) themselves since it last changed.
const npmRecord = join(root, 'node_modules', '.package-lock.json');
const installedByHand =
  have === '' && existsSync(npmRecord) && statSync(npmRecord).mtimeMs >= statSync(lockFile).mtimeMs;

if (installedByHand) writeFileSync(stamp, `${lockHash()}\n`);
else if (have !== lockHash()) {
  // `npm ci`: exactly what the lock file pins, and it never rewrites the lock
  // file, so starting or testing a clone leaves its tracked files as they were.
  console.log('[crh] installing dependencies (npm ci) ...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[crh] npm ci failed');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${lockHash()}\n`);
}

// The browser pages the services serve (GraphiQL), built when missing or stale.
buildWeb();
