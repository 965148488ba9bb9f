import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outsideReferences } from './outside-references.ts';
import { REPO_ROOT, repositoryFiles } from './repository-files.ts';

// This file names the forbidden forms on purpose, to show they are caught.
const THIS_FILE = relative(REPO_ROOT, fileURLToPath(import.meta.url))
  .split('\\')
  .join('/');

describe('references outside the repository', () => {
  it('are recognised in every form they took', () => {
    for (const line of [
      // Assembled, so that this file does not hold the path it forbids.
      `the envelope is in [CONTRACT.md](${['..', 'shared'].join('/')}/CONTRACT.md)`,
      '// The rules of DOMAIN.md, as pure functions',
      'in the order STYLE.md asks for',
      'see ARCHITECTURE.md',
      'A promise made to a customer (seed 002: keep what you promise)',
      'the public schema cites "seed 002/003"',
      'five short texts (in `seeds/`)',
    ]) {
      expect(outsideReferences(line), line).not.toEqual([]);
    }
  });

  it('leave the legitimate uses of "seed" alone', () => {
    for (const line of [
      'npm start -- --seed-demo',
      '    seed: 7,',
      'const random = createRandom(book.seed + 2);',
      're-seeding records nothing twice',
      'const seeded: string[] = [];',
      'docs/rules.md and docs/api/events.md',
    ]) {
      expect(outsideReferences(line), line).toEqual([]);
    }
  });

  it('appear in no file of the repository', () => {
    const found: string[] = [];
    for (const path of repositoryFiles()) {
      if (path === THIS_FILE) continue;
      const bytes = readFileSync(join(REPO_ROOT, path));
      if (bytes.includes(0)) continue; // binary
      for (const reference of outsideReferences(bytes.toString('utf8'))) {
        found.push(`${path}:${reference.line}: ${reference.name}: ${reference.text}`);
      }
    }
    expect(found).toEqual([]);
  });
});
