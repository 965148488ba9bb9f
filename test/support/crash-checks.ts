import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { expect } from 'vitest';
import { waitFor } from './service-process.ts';

// What is checked after a service process was killed with -9: the log holds
// what was acknowledged, once and in order; the read models are the ones a
// rebuild gives.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Waits until the killed service's database sessions are gone (application
 * name `crh-<service>`): only then is whatever it had in flight either
 * committed or rolled back, so what the log holds can no longer change.
 */
export async function sessionsGone(pool: pg.Pool, service: string): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and application_name = $1`,
        [`crh-${service}`],
      );
      return rows[0]!.n === 0 ? true : undefined;
    },
    { timeoutMs: 20_000, what: `the killed ${service}'s database sessions to end` },
  );
}

/** How many of `ids` the log holds. */
export async function storedCount(pool: pg.Pool, ids: readonly string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from crh.events where id = any($1::uuid[])',
    [ids],
  );
  return rows[0]!.n;
}

export interface LogRow {
  id: string;
  customerId: string;
  revision: number;
  /** As clients see it: fixed-width hex, so string order is log order. */
  position: string;
}

/** The whole log in its global order, as committed (not only what readers may see yet). */
export async function logInOrder(pool: pg.Pool): Promise<LogRow[]> {
  const { rows } = await pool.query<{ id: string; customer_id: string; revision: string; position: string }>(
    `select id, customer_id, revision,
            lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') as position
       from crh.events order by tx_id, position`,
  );
  return rows.map((r) => ({
    id: r.id,
    customerId: r.customer_id,
    revision: Number(r.revision),
    position: r.position,
  }));
}

/**
 * Every id of `expected` (per customer, in the order its client had it
 * acknowledged) is in the log exactly once, and each customer's stream is
 * exactly those ids in that order, with revisions counting up by one.
 */
export function expectStreams(
  log: readonly LogRow[],
  expected: ReadonlyMap<string, readonly string[]>,
): void {
  const seen = new Set<string>();
  const streams = new Map<string, LogRow[]>();
  for (const row of log) {
    expect(seen.has(row.id), `event ${row.id} twice in the log`).toBe(false);
    seen.add(row.id);
    streams.set(row.customerId, [...(streams.get(row.customerId) ?? []), row]);
  }
  for (const [customerId, ids] of expected) {
    const stream = streams.get(customerId) ?? [];
    expect(
      stream.map((r) => r.id),
      `${customerId}: the log holds its acknowledged events once, in order`,
    ).toEqual(ids);
    const first = stream[0]?.revision ?? 0;
    expect(stream.map((r) => r.revision)).toEqual(stream.map((_, i) => first + i));
  }
}

/** `crh rebuild` over the database, as an operator runs it; its output. */
export async function runRebuild(databaseUrl: string, dataDir: string): Promise<string> {
  // The platform's data directory: its master key opens the customers' keys.
  const rebuild = spawn(process.execPath, [join(root, 'services/cli/src/main.ts'), 'rebuild'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, CRH_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  rebuild.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  rebuild.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => rebuild.once('exit', done));
  expect(code, output).toBe(0);
  expect(output).toMatch(/done: \d+ events of \d+ customers/);
  return output;
}
