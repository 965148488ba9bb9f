import type { Pool } from 'pg';
import type { Queryable } from '../schema/interval-rows.ts';
import { READ_MODEL_TABLES } from '../schema/read-model-fingerprint.ts';
import { SHADOW_SCHEMA, shadowOf } from '../schema/shadow-schema.ts';
import { DAY_SUM_COLUMNS } from '../schema/signal-rows.ts';

/*
 * Where a rebuild writes: a schema of tables shaped like the read models'
 * but without indexes or triggers, so rows go in at COPY speed; the indexes
 * are then built in bulk and the tables moved into `crh` in one short
 * transaction (blue/green: queries read the old tables until it commits).
 */
export { SHADOW_SCHEMA, shadowOf };

/** Parked events of the build, moved into crh.parked_events at the swap (that table is not replaced). */
export const SHADOW_PARKED = `${SHADOW_SCHEMA}.parked_events`;
/** Partial daily sums spilled during a build, summed once at the end (memory stays flat). */
export const SHADOW_DAY_SUMS = `${SHADOW_SCHEMA}.day_sums`;
export const SHADOW_DELIGHT_SUMS = `${SHADOW_SCHEMA}.delight_sums`;
export const SHADOW_LEVEL_SUMS = `${SHADOW_SCHEMA}.level_sums`;
/** The levels of rm_kpi_levels that intervals change (retained comes from the day sums). */
export const LEVEL_SUM_COLUMNS = ['active', 'going_quiet', 'neglected', 'open_complaints'] as const;

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
    -- With its key: a customer the build stops parks its events over those
    -- a parse already parked (the live table's upsert, see parkBlocked).
    create table ${SHADOW_PARKED} (like crh.parked_events including defaults including indexes);
    create unlogged table ${SHADOW_DAY_SUMS} (
      scope text collate "C" not null, day date not null, ${DAY_SUM_COLUMNS.map((c) => `${c} integer not null`).join(', ')});
    create unlogged table ${SHADOW_DELIGHT_SUMS} (like crh.rm_delight_days);
    create unlogged table ${SHADOW_LEVEL_SUMS} (
      scope text collate "C" not null, day date not null, ${LEVEL_SUM_COLUMNS.map((c) => `${c} integer not null`).join(', ')});
  `);
}

interface IndexDefinition {
  table: string;
  /** The statement building it on the shadow table. */
  sql: string;
  /** Makes a key constraint of the built index, once no other build runs on the table (it locks the table). */
  attach: string | null;
  /** Rough cost: the live index's size, weighted by its kind. Dearest first balances the workers. */
  cost: number;
}

/**
 * The statements that give each shadow table the live table's indexes and
 * key constraints, under the same names (they live in another schema until
 * the swap moves them along with their table). A primary key or unique
 * constraint is built as a plain unique index and attached afterwards:
 * adding the constraint itself would lock the table against the other
 * index builds on it for as long as its own index takes.
 */
export async function shadowIndexDefinitions(db: Queryable): Promise<IndexDefinition[]> {
  const { rows } = await db.query<{
    table: string;
    index: string;
    indexdef: string;
    constraint: string | null;
    contype: string | null;
    constraintdef: string | null;
    bytes: string;
    method: string;
  }>(
    `select format('%I.%I', tn.nspname, t.relname) as table, quote_ident(ic.relname) as index,
            pg_get_indexdef(i.indexrelid) as indexdef, quote_ident(con.conname) as constraint, con.contype::text,
            pg_get_constraintdef(con.oid) as constraintdef, pg_relation_size(i.indexrelid) as bytes, am.amname as method
     from pg_index i
     join pg_class ic on ic.oid = i.indexrelid
     join pg_am am on am.oid = ic.relam
     join pg_class t on t.oid = i.indrelid
     join pg_namespace tn on tn.oid = t.relnamespace
     left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid
     where i.indrelid = any($1::regclass[])`,
    [READ_MODEL_TABLES],
  );
  return rows.map((r) => {
    // Measured on a book of 4M intervals: a GiST index over ranges costs
    // about five times what a B-tree of the same size does to build.
    const cost = Number(r.bytes) * (r.method === 'btree' ? 1 : 5);
    const target = shadowOf(r.table);
    const onTarget = r.indexdef.replace(` ON ${r.table} USING `, ` ON ${target} USING `);
    if (onTarget === r.indexdef) throw new Error(`cannot place index ${r.index} on ${target}: ${r.indexdef}`);
    const key = r.contype === 'p' ? 'primary key' : r.contype === 'u' ? 'unique' : null;
    if (r.constraint === null || r.constraintdef === null) {
      return { table: r.table, sql: onTarget, attach: null, cost };
    }
    if (key !== null && r.constraint === r.index && !r.constraintdef.includes('DEFERRABLE')) {
      const attach = `alter table ${target} add constraint ${r.constraint} ${key} using index ${r.index}`;
      return { table: r.table, sql: onTarget, attach, cost };
    }
    const sql = `alter table ${target} add constraint ${r.constraint} ${r.constraintdef}`;
    return { table: r.table, sql, attach: null, cost };
  });
}

/**
 * Builds the shadow indexes on `workers` connections at once (index builds
 * are CPU-bound sorts: one per core), dearest first, and analyzes the
 * tables so the first queries after the swap are planned on real figures;
 * then makes the key constraints of their indexes.
 */
export async function indexShadowTables(
  pool: Pool,
  definitions: readonly IndexDefinition[],
  workers: number,
): Promise<void> {
  // The analyzes go last, on whichever connection is free first.
  const queue = [
    ...[...definitions].sort((a, b) => b.cost - a.cost).map((d) => d.sql),
    ...READ_MODEL_TABLES.map((table) => `analyze ${shadowOf(table)}`),
  ];
  const work = async () => {
    const client = await pool.connect();
    try {
      // An index of a large book takes longer than any statement timeout meant for queries.
      await client.query(
        `set maintenance_work_mem = '256MB'; set max_parallel_maintenance_workers = 0; set statement_timeout = 0`,
      );
      for (let next = queue.shift(); next; next = queue.shift()) await client.query(next);
      await client.query(
        'reset maintenance_work_mem; reset max_parallel_maintenance_workers; reset statement_timeout',
      );
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  for (const definition of definitions) if (definition.attach) await pool.query(definition.attach);
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
