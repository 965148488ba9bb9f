import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';

const run = promisify(execFile);

/**
 * The database (or only `table`) as text, to search for what must not be in
 * it: `pg_dump` where this machine has one that can dump the server, else
 * every row of every table (or of `table`), saying so in one line.
 */
export async function databaseDump(db: pg.Pool, url: string, table?: string): Promise<string> {
  try {
    const args = ['--no-owner', ...(table ? [`--table=${table}`] : []), url];
    return (await run('pg_dump', args, { maxBuffer: 512 * 1024 * 1024 })).stdout;
  } catch (error) {
    console.log(
      `pg_dump could not dump the test database (${(error as Error).message.split('\n')[0]}): the rows are read instead`,
    );
    const { rows: tables } = await db.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    let text = '';
    for (const { name } of tables.filter((t) => !table || t.name === table)) {
      const { rows } = await db.query<{ row: string }>(`select t::text as row from ${name} t`);
      text += `${rows.map((r) => r.row).join('\n')}\n`;
    }
    return text;
  }
}
