#!/usr/bin/env node
import { ConfigError, loadConfig } from '@crh/config';
import { benchCommand } from './bench-command.ts';
import { rebuildCommand } from './rebuild-command.ts';
import { replayCommand } from './replay-command.ts';
import { startCommand } from './start-command.ts';

const USAGE = `usage: crh <command>
  start [--seed-demo] [--kafka]   run the platform (embedded PostgreSQL unless DATABASE_URL is set;
                                  --kafka: change feed on Kafka plus the relay, see README)
  replay [options]                the event log as NDJSON to stdout, a file or a Kafka topic (crh replay --help)
  rebuild [relationships]         rebuild the read models from the log while the platform serves the old ones
  bench [--only throughput|book|live|relay] [--fresh]   figures (see README)`;

const [command, ...args] = process.argv.slice(2);
try {
  const config = loadConfig();
  switch (command) {
    case 'start':
      await startCommand(config, args);
      break;
    case 'replay':
      process.exitCode = await replayCommand(config, args);
      break;
    case 'rebuild':
      process.exitCode = await rebuildCommand(config, args);
      break;
    case 'bench':
      await benchCommand(config, args);
      break;
    default:
      console.error(USAGE);
      process.exit(command ? 2 : 0);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
