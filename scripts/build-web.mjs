// Builds the browser pages (Vite workspaces) whose dist/ is missing or older
// than their sources, so `npm start`, `npm test` and a fresh clone serve what
// the sources say without a separate build step. Runs from ensure-install.mjs
// (after the install) and by itself: `node scripts/build-web.mjs [@crh/name ...]`
// (only those named; the Dockerfile builds the gateway's this way).
// Plain JS like ensure-install.mjs: it may run on whatever Node started npm;
// the build itself runs under npm, on the pinned Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Vite workspaces: a new page is one more line. */
export const WEB_WORKSPACES = [
  { name: '@crh/graphiql', dir: 'services/graphiql' },
  // Its GraphQL operations are typed and checked against the gateway's schema.
  { name: '@crh/dashboard', dir: 'services/dashboard', inputs: ['services/gateway/schema.graphql'] },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time under `path`, leaving out what builds and installs write. */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'dist' || name === 'node_modules' || name.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, name)));
  }
  return latest;
}

/**
 * Why `dir` needs a build, or null when its dist/index.html is newer than
 * every source file and than the lock file (a dependency's new version).
 */
export function staleness(dir, inputs = []) {
  const built = join(root, dir, 'dist', 'index.html');
  if (!existsSync(built)) return 'not built';
  const builtAt = statSync(built).mtimeMs;
  if (newest(join(root, dir)) > builtAt) return 'sources changed';
  if (inputs.some((input) => newest(join(root, input)) > builtAt)) return 'the schema changed';
  if (statSync(join(root, 'package-lock.json')).mtimeMs > builtAt) return 'dependencies changed';
  return null;
}

/** Builds each stale workspace of `names` (all when empty); exits the process on a failed build. */
export function buildWeb(names = []) {
  const unknown = names.filter((name) => !WEB_WORKSPACES.some((w) => w.name === name));
  if (unknown.length > 0) {
    console.error(
      `[crh] no web workspace ${unknown.join(', ')} (known: ${WEB_WORKSPACES.map((w) => w.name).join(', ')})`,
    );
    process.exit(2);
  }
  for (const { name, dir, inputs } of WEB_WORKSPACES) {
    if (names.length > 0 && !names.includes(name)) continue;
    const reason = staleness(dir, inputs);
    if (reason === null) continue;
    console.log(`[crh] building ${name} (${reason}) ...`);
    // Always the production bundle: a NODE_ENV inherited from the caller (vitest
    // sets test, a shell may set development) would give React's development build.
    const result = spawnSync('npm', ['run', '--silent', 'build', '-w', name], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (result.status !== 0) {
      console.error(`[crh] building ${name} failed`);
      process.exit(result.status ?? 1);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildWeb(process.argv.slice(2));
