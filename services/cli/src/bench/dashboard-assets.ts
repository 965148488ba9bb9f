import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { repoRoot } from '../platform/data-dir.ts';

export const DASHBOARD_SOURCES = join(repoRoot, 'services', 'dashboard');
export const DASHBOARD_DIST = join(DASHBOARD_SOURCES, 'dist');

export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface DashboardAssets {
  /** What index.html loads before anything renders: its scripts, module preloads and style sheets. */
  initial: { js: AssetSize[]; css: AssetSize[] };
  /** Every built file under assets/ (source maps aside), loaded at once or later. */
  all: { files: number; bytes: number; gzipBytes: number };
}

/**
 * Builds the dashboard when dist/ is missing or older than any of its
 * sources, so the figures are always of the code in this checkout.
 */
export async function ensureDashboardBuilt(log: (line: string) => void): Promise<void> {
  const built = await modified(join(DASHBOARD_DIST, 'index.html'));
  const sources = await newestSource();
  if (built !== null && built >= sources) return;
  log(built === null ? 'building the dashboard ...' : 'the dashboard changed since its build: building ...');
  await new Promise<void>((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', 'build', '-w', '@crh/dashboard'], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the dashboard build failed (exit ${code})`)),
    );
  });
}

/** Sizes as served (the gateway sends files as they are) and gzipped at level 9, as a CDN or proxy would. */
export async function dashboardAssets(): Promise<DashboardAssets> {
  const html = await readFile(join(DASHBOARD_DIST, 'index.html'), 'utf8');
  const sizeOf = async (file: string): Promise<AssetSize> => {
    const bytes = await readFile(join(DASHBOARD_DIST, file));
    return { file, bytes: bytes.length, gzipBytes: gzipped(bytes) };
  };
  const tags = [...html.matchAll(/<(script|link)\b[^>]*>/g)].map((m) => m[0]);
  const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]+)"`).exec(tag)?.[1];
  const local = (url: string | undefined): url is string => url?.startsWith('/') === true;
  const js = tags
    .filter((t) => t.startsWith('<script') || attribute(t, 'rel') === 'modulepreload')
    .map((t) => attribute(t, 'src') ?? attribute(t, 'href'))
    .filter(local);
  const css = tags
    .filter((t) => t.startsWith('<link') && attribute(t, 'rel') === 'stylesheet')
    .map((t) => attribute(t, 'href'))
    .filter(local);
  const files = (await readdir(join(DASHBOARD_DIST, 'assets'))).filter((f) => !f.endsWith('.map'));
  const all = await Promise.all(files.map((f) => sizeOf(join('assets', f))));
  return {
    initial: {
      js: await Promise.all(js.map((url) => sizeOf(url.slice(1)))),
      css: await Promise.all(css.map((url) => sizeOf(url.slice(1)))),
    },
    all: {
      files: all.length,
      bytes: all.reduce((n, a) => n + a.bytes, 0),
      gzipBytes: all.reduce((n, a) => n + a.gzipBytes, 0),
    },
  };
}

const gzipped = (bytes: Buffer) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;

async function modified(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

async function newestSource(): Promise<number> {
  const files = [
    'index.html',
    'vite.config.ts',
    'package.json',
    'tsconfig.json',
    ...(await readdir(join(DASHBOARD_SOURCES, 'src'), { recursive: true })).map((f) => join('src', f)),
  ];
  const times = await Promise.all(files.map((f) => modified(join(DASHBOARD_SOURCES, f))));
  return Math.max(...times.map((t) => t ?? 0));
}
