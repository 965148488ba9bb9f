#!/usr/bin/env node
// `crh`: the command line. npm scripts and npx run it on the repository's
// Node 24 (the `node` devDependency is first on their PATH).
import { ConfigError, loadConfig, loadDotEnv, type PlatformConfig } from '@crh/config';
import { benchCommand } from './bench/bench-command.ts';
import { runCli } from './cli-program.ts';
import { encryptExistingCommand } from './encrypt-existing-command.ts';
import { forgetCommand } from './forget-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { parkedCommand } from './parked-command.ts';
import { rebuildCommand } from './rebuild-command.ts';
import { replayCommand } from './replay/replay-command.ts';
import { rotateMasterKeyCommand } from './rotate-master-key-command.ts';
import { startCommand } from './start-command.ts';
import { tokenCommand } from './token-command.ts';

// Read only once a command runs, so `crh --help` works with any environment.
const config = (): PlatformConfig => {
  loadDotEnv();
  return loadConfig();
};

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    start: async (flags) => {
      await startCommand(config(), flags);
      return 0;
    },
    replay: (flags) => replayCommand(config(), flags),
    rebuild: () => rebuildCommand(config()),
    migrate: (flags) => migrateCommand(config(), flags),
    rotateMasterKey: () => rotateMasterKeyCommand(config()),
    encryptExisting: (flags) => encryptExistingCommand(config(), flags),
    forget: (flags) =>
      forgetCommand(config(), flags, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      }),
    parked: (request) =>
      parkedCommand(config(), request, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      }),
    bench: async (flags) => {
      await benchCommand(config(), flags);
      return 0;
    },
    token: (flags) =>
      tokenCommand(config().env, flags, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
      }),
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  // exit, not exitCode: a command that failed half-way may have started
  // children (embedded PostgreSQL, Kafka, services) that would keep it alive.
  process.exit(1);
}
