// Writes the generated contract files (docs/api/openapi.json, docs/schemas/)
// from the zod schemas, removing generated files that no longer have a source.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { contractFiles, paths, schemaFilesPresent } from './contract-files.ts';

const root = join(import.meta.dirname, '..');
const files = contractFiles();

mkdirSync(join(root, paths.schemas), { recursive: true });
for (const stale of schemaFilesPresent(root).filter((path) => !files.has(path))) {
  rmSync(join(root, stale));
  console.log(`removed ${stale}`);
}
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
console.log(`wrote ${files.size} files (${paths.openapi}, ${paths.schemas}/)`);
