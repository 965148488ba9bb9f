import { describe, expect, it } from 'vitest';
import { type CliActions, runCli, USAGE_EXIT_CODE } from './cli-program.ts';

/** Runs the parser over real argv with actions that record what they were given. */
async function run(argv: string[], actionCode = 0) {
  const calls: { command: string; flags: unknown }[] = [];
  const output = { out: '', err: '' };
  const record =
    (command: string) =>
    async (flags?: unknown): Promise<number> => {
      calls.push({ command, flags });
      return actionCode;
    };
  const actions: CliActions = {
    start: record('start'),
    replay: record('replay'),
    rebuild: record('rebuild'),
    migrate: record('migrate'),
    rotateMasterKey: record('rotate-master-key'),
    forget: record('forget'),
    encryptExisting: record('encrypt-existing'),
    parked: record('parked'),
    bench: record('bench'),
    token: record('token'),
  };
  const code = await runCli(argv, actions, {
    out: (text) => {
      output.out += text;
    },
    err: (text) => {
      output.err += text;
    },
  });
  return { code, calls, ...output };
}

describe('crh command line', () => {
  it.each([
    { argv: ['start'], command: 'start', flags: {} },
    { argv: ['start', '--seed-demo', '--kafka'], command: 'start', flags: { seedDemo: true, kafka: true } },
    {
      argv: ['replay', '--up-to', 'ff', '--customer', 'c-1', '--limit', '5', '--batch', '20', '--quiet'],
      command: 'replay',
      flags: { upTo: 'ff', customer: 'c-1', limit: '5', batch: 20, quiet: true },
    },
    { argv: ['replay', '--token', 'eyJ.x.y'], command: 'replay', flags: { token: 'eyJ.x.y' } },
    { argv: ['rebuild'], command: 'rebuild', flags: undefined },
    { argv: ['rebuild', 'relationships'], command: 'rebuild', flags: undefined },
    { argv: ['migrate'], command: 'migrate', flags: { roles: true } },
    { argv: ['migrate', '--no-roles'], command: 'migrate', flags: { roles: false } },
    { argv: ['rotate-master-key'], command: 'rotate-master-key', flags: undefined },
    { argv: ['encrypt-existing'], command: 'encrypt-existing', flags: { batch: undefined } },
    { argv: ['encrypt-existing', '--batch', '500'], command: 'encrypt-existing', flags: { batch: 500 } },
    {
      argv: ['forget', 'c-7'],
      command: 'forget',
      flags: { customerId: 'c-7', reason: undefined, by: undefined },
    },
    {
      argv: ['forget', 'c-7', '--reason', 'DSR-1042', '--by', 'dpo@example.org'],
      command: 'forget',
      flags: { customerId: 'c-7', reason: 'DSR-1042', by: 'dpo@example.org' },
    },
    { argv: ['parked', 'list'], command: 'parked', flags: { action: 'list' } },
    { argv: ['parked', 'retry'], command: 'parked', flags: { action: 'retry', customer: undefined } },
    {
      argv: ['parked', 'retry', '--customer', 'c-9'],
      command: 'parked',
      flags: { action: 'retry', customer: 'c-9' },
    },
    {
      argv: ['parked', 'skip', 'e-1', '--reason', 'bad import'],
      command: 'parked',
      flags: { action: 'skip', eventId: 'e-1', reason: 'bad import' },
    },
    {
      argv: ['bench', '--only', 'rebuild', '--customers', '1000', '--fresh'],
      command: 'bench',
      flags: { only: 'rebuild', customers: 1000, fresh: true },
    },
    {
      argv: ['bench', '--only', 'sustained', '--sustained-seconds', '30', '--projectors', '1,2, 4'],
      command: 'bench',
      flags: { only: 'sustained', sustainedSeconds: 30, projectors: [1, 2, 4] },
    },
    {
      argv: ['token', '--role', 'admin'],
      command: 'token',
      flags: { role: ['admin'], ttl: '8h' },
    },
    {
      argv: ['token', '--role', 'account-manager', '--manager', 'am-3', '--role', 'lead', '--ttl', '30m'],
      command: 'token',
      flags: { role: ['account-manager', 'lead'], manager: 'am-3', ttl: '30m' },
    },
    {
      argv: ['token', '--role', 'ingest', '--sub', 'crm-sync', '--ttl', '7 days'],
      command: 'token',
      flags: { role: ['ingest'], sub: 'crm-sync', ttl: '7 days' },
    },
    {
      argv: ['token', '--role', 'monitoring', '--sub', 'prometheus', '--ttl', '365d', '--out', '/run/t'],
      command: 'token',
      flags: { role: ['monitoring'], sub: 'prometheus', ttl: '365d', out: '/run/t' },
    },
  ])('runs $argv with the flags it parsed', async ({ argv, command, flags }) => {
    const result = await run(argv);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([{ command, flags }]);
    expect(result.err).toBe('');
  });

  it("answers with the command's own exit code", async () => {
    expect((await run(['replay'], 130)).code).toBe(130);
  });

  it.each([
    { argv: [], says: /Usage: crh \[options\] \[command\]/ },
    { argv: ['frob'], says: /unknown command 'frob'[\s\S]*Usage: crh/ },
    { argv: ['start', '--nope'], says: /unknown option '--nope'[\s\S]*Usage: crh start/ },
    { argv: ['start', 'now'], says: /too many arguments[\s\S]*Usage: crh start/ },
    { argv: ['bench', '--only', 'typo'], says: /'typo' is invalid[\s\S]*Usage: crh bench/ },
    { argv: ['bench', '--events', '1e5'], says: /must be a whole number[\s\S]*Usage: crh bench/ },
    { argv: ['bench', '--only'], says: /argument missing[\s\S]*Usage: crh bench/ },
    { argv: ['bench', '--projectors', '1,0'], says: /comma-separated \(1,2\)[\s\S]*Usage: crh bench/ },
    { argv: ['bench', '--projectors', '2,'], says: /comma-separated \(1,2\)[\s\S]*Usage: crh bench/ },
    { argv: ['replay', '--partitions', '0'], says: /must be a whole number[\s\S]*Usage: crh replay/ },
    { argv: ['replay', '--customr', 'c-1'], says: /unknown option '--customr'[\s\S]*Usage: crh replay/ },
    { argv: ['rebuild', 'everything'], says: /'everything' is invalid[\s\S]*Usage: crh rebuild/ },
    { argv: ['parked', 'skip'], says: /missing required argument 'eventId'[\s\S]*Usage: crh parked skip/ },
    { argv: ['parked', 'drop'], says: /unknown command 'drop'/ },
    {
      argv: ['encrypt-existing', '--batch', '0'],
      says: /must be a whole number[\s\S]*Usage: crh encrypt-existing/,
    },
    { argv: ['forget'], says: /missing required argument 'customerId'[\s\S]*Usage: crh forget/ },
    {
      argv: ['forget', 'c 7'],
      says: /'c 7' is invalid for argument 'customerId'\. must be 1-128 characters[\s\S]*Usage: crh forget/,
    },
    { argv: ['token'], says: /required option '--role <role>' not specified[\s\S]*Usage: crh token/ },
    {
      argv: ['token', '--role', 'superuser'],
      says: /'superuser' is invalid\. not a role; the roles are account-manager, lead, analyst, ingest, admin, monitoring/,
    },
    {
      argv: ['token', '--role', 'account-manager'],
      says: /--manager <id> is required with --role account-manager[\s\S]*Usage: crh token/,
    },
    {
      argv: ['token', '--role', 'admin', '--ttl', 'forever'],
      says: /'forever' is invalid\. a time span like 8h/,
    },
    { argv: ['token', '--role', 'admin', '--ttl', '-1h'], says: /'-1h' is invalid/ },
    { argv: ['token', '--role', 'admin', '--ttl', '2 days ago'], says: /'2 days ago' is invalid/ },
  ])('refuses $argv with the usage and exit code 2, running nothing', async ({ argv, says }) => {
    const result = await run(argv);
    expect(result.code).toBe(USAGE_EXIT_CODE);
    expect(result.calls).toEqual([]);
    expect(result.err).toMatch(says);
  });

  it('prints help on --help and exits 0', async () => {
    const result = await run(['replay', '--help']);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
    expect(result.out).toMatch(/Usage: crh replay[\s\S]*--checkpoint <file>/);
  });
});
