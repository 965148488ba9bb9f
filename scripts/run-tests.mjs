// The one test command (`npm test`), cheapest check first:
// format+lint -> module boundaries -> typecheck -> unit -> integration -> e2e,
// stopping at the first step that fails so a broken build never waits for slow
// suites (docs/testing.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const results = join('.crh', 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const vitest = (level) => [
  'vitest',
  [
    'run',
    '--project',
    level,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(results, `${level}.json`)}`,
  ],
];
const steps = [
  ['format and lint', 'biome', ['ci', '.']],
  [
    'module boundaries',
    'depcruise',
    [
      '--config',
      '.dependency-cruiser.cjs',
      'packages',
      'services',
      'infra',
      'test',
      'scripts',
      'vitest.config.ts',
    ],
  ],
  ['typecheck', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['unit tests', ...vitest('unit')],
  ['integration tests', ...vitest('int')],
  ['end-to-end tests', ...vitest('e2e')],
];

const started = Date.now();
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const [name, command, args] of steps) {
  console.log(`\n[crh test] ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const level = args[2];
  if (command === 'vitest') {
    const report = JSON.parse(readFileSync(join(results, `${level}.json`), 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  }
  if (result.status !== 0) {
    console.error(`[crh test] ${name} failed`);
    console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\n[crh test] all levels passed in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
