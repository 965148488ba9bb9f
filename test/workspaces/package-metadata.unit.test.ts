import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Keeps every package.json true to its code: what a workspace imports it
// declares, what it declares it uses, what it exports exists and is used.
// (dependency-cruiser checks the module boundaries; it cannot classify
// workspace links, so the dependency lists are checked here.)

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Manifest {
  name: string;
  exports?: Record<string, string>;
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const rootManifest = readJson<Manifest>(join(root, 'package.json'));

const workspaceDirs = rootManifest
  .workspaces!.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
      : [pattern],
  )
  .filter((dir) => existsSync(join(root, dir, 'package.json')));

const workspaces = workspaceDirs.map((dir) => ({
  dir,
  manifest: readJson<Manifest>(join(root, dir, 'package.json')),
}));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return tsFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/**
 * Code that does not ship: the files that run only under vitest, and a web
 * page's build configuration (what ships of a page is its built dist/).
 */
const isTestCode = (file: string) =>
  /\.test\.ts$|^(packages|services)\/[^/]+\/testing\/|^services\/[^/]+\/vite\.config\.ts$/.test(file);

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`; relative and built-in imports -> null. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
}

/** Packages imported by a workspace's shipped code and by its tests. */
function usage(dir: string) {
  const shipped = new Set<string>();
  const tests = new Set<string>();
  const specifiers = new Set<string>();
  for (const file of tsFiles(join(root, dir))) {
    for (const specifier of importsOf(file)) {
      specifiers.add(specifier);
      const name = packageOf(specifier);
      if (name) (isTestCode(relative(root, file)) ? tests : shipped).add(name);
    }
  }
  return { shipped, tests, specifiers };
}

const workspaceNames = new Set(workspaces.map(({ manifest }) => manifest.name));
const isWorkspace = (name: string) => workspaceNames.has(name);

const declared = (m: Manifest, kinds: ('dependencies' | 'devDependencies' | 'peerDependencies')[]) =>
  new Set(kinds.flatMap((kind) => Object.keys(m[kind] ?? {})));

// Imported for their types only, or loaded by another package: never imported by name.
// Types, and what a web page's build runs by name (its scripts and the gql.tada TypeScript plugin).
const IMPLICIT = /^@types\/|^typescript$|^@0no-co\/graphqlsp$/;

/**
 * The peer dependencies of what a workspace declares: those packages load them
 * (e.g. @graphiql/toolkit imports graphql-ws when asked for subscriptions), so
 * the workspace declares them without importing them by name.
 */
function peersOfDependencies(dir: string, manifest: Manifest): Set<string> {
  const peers = new Set<string>();
  for (const name of declared(manifest, ['dependencies'])) {
    const installed = [join(root, dir, 'node_modules', name), join(root, 'node_modules', name)]
      .map((folder) => join(folder, 'package.json'))
      .find((file) => existsSync(file));
    if (!installed) continue;
    for (const peer of Object.keys(readJson<Manifest>(installed).peerDependencies ?? {})) peers.add(peer);
  }
  return peers;
}

describe.each(workspaces)('$manifest.name ($dir)', ({ dir, manifest }) => {
  const { shipped, tests } = usage(dir);
  const self = manifest.name;

  it('declares in dependencies (or peerDependencies) every package its shipped code imports', () => {
    const runtime = declared(manifest, ['dependencies', 'peerDependencies']);
    const missing = [...shipped].filter((name) => name !== self && !runtime.has(name));
    expect(missing, `add them to ${dir}/package.json dependencies`).toEqual([]);
  });

  it('declares every npm package its tests import (its own lists, or the root devDependencies for tools)', () => {
    const any = declared(manifest, ['dependencies', 'devDependencies', 'peerDependencies']);
    const tools = declared(rootManifest, ['devDependencies']);
    const missing = [...tests].filter((name) => !isWorkspace(name) && !any.has(name) && !tools.has(name));
    expect(missing, `add them to ${dir}/package.json devDependencies`).toEqual([]);
  });

  it('lists no workspace in devDependencies', () => {
    // Tests reach every workspace through the monorepo's links. Declared, a
    // test helper would ride into the service images (turbo prune follows
    // devDependencies) and close cycles in the task graph.
    expect([...declared(manifest, ['devDependencies'])].filter(isWorkspace)).toEqual([]);
  });

  it('uses every dependency it declares', () => {
    const loadedByOthers = peersOfDependencies(dir, manifest);
    const unusedRuntime = [...declared(manifest, ['dependencies', 'peerDependencies'])].filter(
      (name) => !shipped.has(name) && !IMPLICIT.test(name) && !loadedByOthers.has(name),
    );
    const unusedDev = [...declared(manifest, ['devDependencies'])].filter(
      (name) => !tests.has(name) && !shipped.has(name) && !IMPLICIT.test(name),
    );
    expect(unusedRuntime, 'dependencies no shipped file imports').toEqual([]);
    expect(unusedDev, 'devDependencies nothing imports').toEqual([]);
  });

  it('exports and bins files that exist, and every export is imported somewhere else', () => {
    const targets = { ...manifest.exports, ...manifest.bin };
    const missing = Object.values(targets).filter((target) => !existsSync(join(root, dir, target)));
    expect(missing).toEqual([]);
    const elsewhere = new Set(
      workspaces
        .filter((other) => other.dir !== dir)
        .flatMap((other) => [...usage(other.dir).specifiers])
        .concat(['test', 'scripts'].flatMap((top) => tsFiles(join(root, top)).flatMap(importsOf))),
    );
    const unused = Object.keys(manifest.exports ?? {})
      .map((subpath) => (subpath === '.' ? self : `${self}${subpath.slice(1)}`))
      .filter((specifier) => !elsewhere.has(specifier));
    expect(unused, 'exports nothing outside the package imports').toEqual([]);
  });
});

describe('the repository', () => {
  it('has no cycle among its workspaces (turbo orders tasks by dependencies and devDependencies)', () => {
    const edges = new Map(
      workspaces.map(({ manifest }) => [
        manifest.name,
        [...declared(manifest, ['dependencies', 'devDependencies', 'peerDependencies'])].filter(isWorkspace),
      ]),
    );
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (path.includes(name)) {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' -> '));
        return;
      }
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    };
    for (const name of edges.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });

  it('names a workspace script for every turbo task', () => {
    const turbo = readJson<{ tasks: Record<string, unknown> }>(join(root, 'turbo.json'));
    const scripts = new Set(workspaces.flatMap(({ manifest }) => Object.keys(manifest.scripts ?? {})));
    expect(Object.keys(turbo.tasks).filter((task) => !scripts.has(task))).toEqual([]);
  });

  it('declares in its devDependencies every package the root test and script files import', () => {
    const names = new Set(workspaces.map(({ manifest }) => manifest.name));
    const files = ['test', 'scripts']
      .flatMap((top) => tsFiles(join(root, top)))
      .concat(join(root, 'vitest.config.ts'));
    const imported = new Set(
      files
        .flatMap(importsOf)
        .map(packageOf)
        .filter((n): n is string => n !== null),
    );
    const tools = declared(rootManifest, ['devDependencies']);
    expect([...imported].filter((name) => !names.has(name) && !tools.has(name))).toEqual([]);
  });
});
