// The one test command (`npm test`), in the order STYLE.md asks for:
// format+lint -> typecheck -> unit -> integration -> e2e, stopping at the first
// level that fails so a broken build never waits for slow suites.
import { spawnSync } from 'node:child_process';

const steps = [
  ['format and lint', 'biome', ['ci', '.']],
  ['typecheck', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['unit tests', 'vitest', ['run', '--project', 'unit']],
  ['integration tests', 'vitest', ['run', '--project', 'int']],
  ['end-to-end tests', 'vitest', ['run', '--project', 'e2e']],
];

const started = Date.now();
for (const [name, command, args] of steps) {
  console.log(`\n[crh test] ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[crh test] ${name} failed`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\n[crh test] all levels passed in ${Math.round((Date.now() - started) / 1000)} s`);
