// Writes the generated contract files (docs/api/openapi.json, docs/schemas/)
// from the zod schemas, removing generated files that no longer have a source.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { contractFiles, paths } from './contract-files.ts';

const root = join(import.meta.dirname, '..');
const files = contractFiles();

const listed = (folder: string): string[] =>
  readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));

mkdirSync(join(root, paths.schemas), { recursive: true });
for (const stale of listed(paths.schemas).filter((path) => !files.has(path))) {
  rmSync(join(root, stale));
  console.log(`removed ${stale}`);
}
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
console.log(`wrote ${files.size} files (${paths.openapi}, ${paths.schemas}/)`);
