import type { Pool } from 'pg';
import type { Queryable } from './interval-rows.ts';
import { READ_MODEL_TABLES } from './read-model-fingerprint.ts';
import { DAY_SUM_COLUMNS } from './signal-rows.ts';

/**
 * Where a rebuild writes: a schema of tables shaped like the read models'
 * but without indexes or triggers, so rows go in at COPY speed; the indexes
 * are then built in bulk and the tables moved into `crh` in one short
 * transaction (blue/green: queries read the old tables until it commits).
 */
export const SHADOW_SCHEMA = 'crh_next';

/** `crh.rm_x` → `crh_next.rm_x`. */
export const shadowOf = (table: string) => `${SHADOW_SCHEMA}.${table.slice(table.indexOf('.') + 1)}`;

/** Parked events of the build, moved into crh.parked_events at the swap (that table is not replaced). */
export const SHADOW_PARKED = `${SHADOW_SCHEMA}.parked_events`;
/** Partial daily sums spilled during a build, summed once at the end (memory stays flat). */
export const SHADOW_DAY_SUMS = `${SHADOW_SCHEMA}.day_sums`;
export const SHADOW_DELIGHT_SUMS = `${SHADOW_SCHEMA}.delight_sums`;

/**
 * A fresh shadow schema: whatever a crashed build left goes. Columns,
 * defaults, generated columns, NOT NULLs, collations and storage parameters
 * come from the live tables, so the swap needs no column list kept in sync.
 */
export async function createShadowTables(db: Queryable): Promise<void> {
  await db.query(`drop schema if exists ${SHADOW_SCHEMA} cascade; create schema ${SHADOW_SCHEMA}`);
  const options = await db.query<{ name: string; options: string[] | null }>(
    `select format('%I.%I', n.nspname, c.relname) as name, c.reloptions as options
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.oid = any($1::regclass[])`,
    [READ_MODEL_TABLES],
  );
  const storage = new Map(options.rows.map((r) => [r.name, r.options]));
  for (const table of READ_MODEL_TABLES) {
    const reloptions = storage.get(table);
    await db.query(
      `create table ${shadowOf(table)} (like ${table} including defaults including generated including storage)
       ${reloptions?.length ? `with (${reloptions.join(', ')})` : ''}`,
    );
  }
  await db.query(`
    create table ${SHADOW_PARKED} (like crh.parked_events including defaults);
    create unlogged table ${SHADOW_DAY_SUMS} (
      scope text collate "C" not null, day date not null, ${DAY_SUM_COLUMNS.map((c) => `${c} integer not null`).join(', ')});
    create unlogged table ${SHADOW_DELIGHT_SUMS} (like crh.rm_delight_days);
  `);
}

interface IndexDefinition {
  table: string;
  /** The statement building it on the shadow table. */
  sql: string;
  /** Relation size of the live index: biggest first balances the workers. */
  bytes: number;
}

/**
 * The statements that give each shadow table the live table's indexes and
 * key constraints, under the same names (they live in another schema until
 * the swap moves them along with their table).
 */
export async function shadowIndexDefinitions(db: Queryable): Promise<IndexDefinition[]> {
  const { rows } = await db.query<{
    table: string;
    index: string;
    indexdef: string;
    constraint: string | null;
    constraintdef: string | null;
    bytes: string;
  }>(
    `select format('%I.%I', tn.nspname, t.relname) as table, ic.relname as index, pg_get_indexdef(i.indexrelid) as indexdef,
            con.conname as constraint, pg_get_constraintdef(con.oid) as constraintdef,
            pg_relation_size(i.indexrelid) as bytes
     from pg_index i
     join pg_class ic on ic.oid = i.indexrelid
     join pg_class t on t.oid = i.indrelid
     join pg_namespace tn on tn.oid = t.relnamespace
     left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid
     where i.indrelid = any($1::regclass[])`,
    [READ_MODEL_TABLES],
  );
  return rows.map((r) => {
    const target = shadowOf(r.table);
    const sql =
      r.constraint !== null && r.constraintdef !== null
        ? `alter table ${target} add constraint ${r.constraint} ${r.constraintdef}`
        : r.indexdef.replace(` ON ${r.table} USING `, ` ON ${target} USING `);
    if (sql === r.indexdef) throw new Error(`cannot place index ${r.index} on ${target}: ${r.indexdef}`);
    return { table: r.table, sql, bytes: Number(r.bytes) };
  });
}

/**
 * Builds the shadow indexes on `workers` connections at once (index builds
 * are CPU-bound sorts: one per core), biggest first, then analyzes the
 * tables so the first queries after the swap are planned on real figures.
 */
export async function indexShadowTables(
  pool: Pool,
  definitions: readonly IndexDefinition[],
  workers: number,
): Promise<void> {
  const queue = [...definitions].sort((a, b) => b.bytes - a.bytes);
  const work = async () => {
    const client = await pool.connect();
    try {
      await client.query(`set maintenance_work_mem = '256MB'; set max_parallel_maintenance_workers = 0`);
      for (let next = queue.shift(); next; next = queue.shift()) await client.query(next.sql);
      await client.query('reset maintenance_work_mem; reset max_parallel_maintenance_workers');
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  await pool.query(`analyze ${READ_MODEL_TABLES.map(shadowOf).join(', ')}`);
}

/**
 * Inside the caller's transaction: drops the live read-model tables, moves
 * the shadow ones (with their indexes) into `crh` and gives them the live
 * tables' triggers. Dropping takes each live table's exclusive lock, so the
 * queries running on it finish first and the next ones wait for the commit
 * (a moment: nothing here reads or writes rows).
 */
export async function swapShadowTables(db: Queryable): Promise<void> {
  const triggers = await db.query<{ sql: string }>(
    `select pg_get_triggerdef(t.oid) as sql from pg_trigger t
     where t.tgrelid = any($1::regclass[]) and not t.tgisinternal`,
    [READ_MODEL_TABLES],
  );
  for (const table of READ_MODEL_TABLES) {
    await db.query(`drop table ${table}; alter table ${shadowOf(table)} set schema crh`);
  }
  // The definitions name the tables as crh.rm_x: now the moved ones.
  for (const trigger of triggers.rows) await db.query(trigger.sql);
}

export async function dropShadowTables(db: Queryable): Promise<void> {
  await db.query(`drop schema if exists ${SHADOW_SCHEMA} cascade`);
}
