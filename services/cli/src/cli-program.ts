import { CUSTOMER_ID_PATTERN } from '@crh/domain';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BENCH_PARTS, type BenchFlags } from './bench/bench-command.ts';
import type { EncryptExistingFlags } from './encrypt-existing-command.ts';
import type { ForgetFlags } from './forget-command.ts';
import type { MigrateFlags } from './migrate-command.ts';
import type { ParkedRequest } from './parked-command.ts';
import { PROJECTIONS } from './rebuild-command.ts';
import type { ReplayFlags } from './replay/replay-command.ts';
import type { StartFlags } from './start-command.ts';
import {
  collectRole,
  DEFAULT_TOKEN_TTL,
  type TokenFlags,
  timeSpan,
  tokenFlagsProblem,
} from './token-command.ts';

/** What each command does once its command line is parsed; each resolves to an exit code. */
export interface CliActions {
  start(flags: StartFlags): Promise<number>;
  replay(flags: ReplayFlags): Promise<number>;
  rebuild(): Promise<number>;
  migrate(flags: MigrateFlags): Promise<number>;
  rotateMasterKey(): Promise<number>;
  forget(flags: ForgetFlags): Promise<number>;
  encryptExisting(flags: EncryptExistingFlags): Promise<number>;
  parked(request: ParkedRequest): Promise<number>;
  bench(flags: BenchFlags): Promise<number>;
  token(flags: TokenFlags): Promise<number>;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** A bad command line: an unknown command, flag or value, a missing argument. */
export const USAGE_EXIT_CODE = 2;

const wholeNumber = (value: string): number => {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
};

const customerId = (value: string): string => {
  if (!CUSTOMER_ID_PATTERN.test(value))
    throw new InvalidArgumentError('must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  return value;
};

/** `1,2`: whole numbers of at least 1, comma-separated. */
const wholeNumbers = (value: string): number[] => {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => !/^[1-9][0-9]*$/.test(item)))
    throw new InvalidArgumentError('must be whole numbers of at least 1, comma-separated (1,2)');
  return items.map(Number);
};

/**
 * Parses `argv` (without node and the script) and runs the command it names.
 * Resolves to the exit code: the command's own, 0 for --help, and
 * USAGE_EXIT_CODE with the usage on stderr for anything it does not know.
 */
export async function runCli(
  argv: readonly string[],
  actions: CliActions,
  output: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  let exitCode = 0;
  const done = (code: number) => {
    exitCode = code;
  };
  const program = new Command('crh')
    .description('crh: customer-relationship health. Run the platform, replay its log, rebuild its views.')
    .configureOutput({ writeOut: output.out, writeErr: output.err })
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the platform (embedded PostgreSQL unless DATABASE_URL is set); Ctrl-C stops it')
    .option('--seed-demo', 'also record a demo book of 200 customers (am-1 .. am-5)')
    .option('--kafka', 'the change feed on Kafka, plus the relay (KAFKA_BROKERS, else a local broker)')
    .action(async (flags: StartFlags) => done(await actions.start(flags)));

  program
    .command('replay')
    .description('the event log as NDJSON, one stored envelope a line, in log order')
    .option('--url <ingest>', 'ingest base URL (default http://localhost:$INGEST_PORT)')
    .option(
      '--token <jwt>',
      'bearer token with the analyst or admin role (default $CRH_TOKEN, else a 15-minute analyst token from the local key)',
    )
    .option('--after <position>', 'start after this position')
    .option('--up-to <position>', 'end at this position (default: the head when the replay starts)')
    .option('--from <instant>', 'occurredAt at or after this RFC 3339 instant')
    .option('--to <instant>', 'occurredAt at or before this RFC 3339 instant')
    .option('--types <A,B>', 'only these event types')
    .option('--customer <id>', "one customer's events")
    .option('--limit <n>', 'at most n events')
    .option('--out <file>', 'write to a file (default: stdout)')
    .option('--topic <name>', 'send to a Kafka topic (key customerId, headers type and position)')
    .option('--brokers <host:port,...>', 'Kafka brokers (default $KAFKA_BROKERS)')
    .option('--partitions <n>', 'partitions of a new topic (default 12)', wholeNumber)
    .option('--checkpoint <file>', 'record progress there; the same command again resumes')
    .option('--batch <n>', 'lines per write and checkpoint (default 1000)', wholeNumber)
    .option('--quiet', 'no progress bar or summary on stderr')
    .action(async (flags: ReplayFlags) => done(await actions.replay(flags)));

  program
    .command('rebuild')
    .description('rebuild the read models from the log while the platform serves the old ones')
    .addArgument(new Argument('[projection]', 'what to rebuild').choices(PROJECTIONS))
    .action(async () => done(await actions.rebuild()));

  program
    .command('migrate')
    .description(
      "as the schema's owner (DATABASE_URL): apply every migration, then give each service's database role exactly what it needs",
    )
    .option('--no-roles', 'the migrations only: no service roles, no grants')
    .action(async (flags: MigrateFlags) => done(await actions.migrate(flags)));

  program
    .command('rotate-master-key')
    .description(
      "re-wrap every customer's data key under CRH_MASTER_KEY_FILE's key, opening them with CRH_PREVIOUS_MASTER_KEY_FILES (no event changes)",
    )
    .action(async () => done(await actions.rotateMasterKey()));

  program
    .command('encrypt-existing')
    .description(
      'seal, in place, the personal fields of events stored before sealing (PostgreSQL; resumable, safe while the platform runs; docs/erasure.md)',
    )
    .option('--batch <n>', 'events per transaction (default 1,000)', wholeNumber)
    .action(async (flags: { batch?: number }) => done(await actions.encryptExisting({ batch: flags.batch })));

  program
    .command('forget')
    .description(
      "erase a customer's personal data (docs/erasure.md): its key destroyed, a CustomerDataErased event recorded, the audit line written; idempotent",
    )
    .addArgument(new Argument('<customerId>', 'the customer').argParser(customerId))
    .option('--reason <text>', 'why (e.g. a ticket reference; not the person), for the audit trail')
    .option('--by <who>', 'who asks, for the audit trail (default cli:<your user name>)')
    .action(async (id: string, flags: { reason?: string; by?: string }) =>
      done(await actions.forget({ customerId: id, reason: flags.reason, by: flags.by })),
    );

  const parked = program
    .command('parked')
    .description('events the projector parked: a poison event stops its customer, later ones wait behind it');
  parked
    .command('list')
    .description(
      'the parked events: customer, event, type, error, and how many events each blocked customer holds',
    )
    .action(async () => done(await actions.parked({ action: 'list' })));
  parked
    .command('retry')
    .description("apply the blocked customers' parked and held events again, in order (after a fix)")
    .option('--customer <id>', 'only this customer')
    .action(async (flags: { customer?: string }) =>
      done(await actions.parked({ action: 'retry', customer: flags.customer })),
    );
  parked
    .command('skip')
    .description(
      "leave one failed event out for good (recorded; a rebuild honours it) and apply its customer's held events",
    )
    .argument('<eventId>', 'the failed event (see crh parked list)')
    .option('--reason <text>', 'why, kept with the decision')
    .action(async (eventId: string, flags: { reason?: string }) =>
      done(await actions.parked({ action: 'skip', eventId, reason: flags.reason })),
    );

  program
    .command('bench')
    .description('measure the platform and print the figures (docs/benchmarks.md)')
    .addOption(new Option('--only <part>', 'run one part (soak runs only so)').choices(BENCH_PARTS))
    .option('--fresh', 'reload the book rather than reuse it')
    .option('--events <n>', 'throughput: events (default 200,000)', wholeNumber)
    .option('--concurrency <n>', 'throughput: concurrent appends (default 4)', wholeNumber)
    .option('--batch <n>', 'throughput: projection batch (default PROJECTOR_BATCH_SIZE)', wholeNumber)
    .option('--sustained-seconds <n>', 'sustained: how long ingest is loaded (default 60)', wholeNumber)
    .option(
      '--projectors <n,n>',
      'sustained: a run per entry, with that many projector processes (default 1,2)',
      wholeNumbers,
    )
    .option(
      '--sustained-drain-seconds <n>',
      'sustained: the longest wait, once the load stops, for the projection to catch up (default 600)',
      wholeNumber,
    )
    .option('--customers <n>', 'book: customers (default 100,000)', wholeNumber)
    .option('--samples <n>', 'book: samples per query (default 300)', wholeNumber)
    .option('--subscribers <n>', 'live: SSE subscribers (default 1,000; soak: 200)', wholeNumber)
    .option('--live-events <n>', 'live: events posted (default 300)', wholeNumber)
    .option('--relay-events <n>', 'relay: events (default 200,000)', wholeNumber)
    .option('--replay-events <n>', 'replay: events (default 1,000,000)', wholeNumber)
    .option('--sealing-events <n>', 'sealing: events (default 100,000)', wholeNumber)
    .option('--page-loads <n>', 'dashboard: cold page loads per view (default 10)', wholeNumber)
    .option('--soak-minutes <n>', 'soak: how long (default 30)', wholeNumber)
    .option('--soak-rate <n>', 'soak: events posted per second (default 50)', wholeNumber)
    .option(
      '--soak-day-ms <n>',
      "soak: real ms per day of the projector's clock (default 180,000)",
      wholeNumber,
    )
    .action(async (flags: BenchFlags) => done(await actions.bench(flags)));

  program
    .command('token')
    .description(
      'print a token signed with the local key (unless CRH_AUTH_JWKS_URL is set), for curl and scripts',
    )
    .requiredOption(
      '--role <role>',
      'account-manager, lead, analyst, ingest, admin or monitoring; repeat for several',
      collectRole,
    )
    .option('--manager <id>', "the account manager's id (required with --role account-manager)")
    .option('--sub <name>', 'who the token is for (default: the manager id, else local-<roles>)')
    .option('--ttl <span>', 'how long it is valid: 30m, 8h, 7d', timeSpan, DEFAULT_TOKEN_TTL)
    .option('--out <file>', 'write the token to this file (mode 640, replaced whole) instead of stdout')
    .action(async (flags: TokenFlags, command: Command) => {
      const problem = tokenFlagsProblem(flags);
      // error() prints the usage too and ends the parse with exit code 1, which runCli turns into 2.
      if (problem) command.error(`error: ${problem}`);
      done(await actions.token(flags));
    });

  try {
    if (argv.length === 0) {
      output.err(program.helpInformation());
      return USAGE_EXIT_CODE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
}
