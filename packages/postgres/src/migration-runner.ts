import type pg from 'pg';

export interface Migration {
  name: string;
  sql: string;
}

export interface MigrationPlan {
  /** Schema-qualified table that records applied migrations, e.g. `crh.event_store_migrations`. */
  table: string;
  /** Applied in array order; names must never change once released. */
  migrations: readonly Migration[];
}

const QUALIFIED_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

// One key for every migration table: migrations of different packages all
// touch schema `crh`, so they are serialised together, not just per table.
const LOCK_SQL = `select pg_advisory_xact_lock(hashtextextended('crh.migrations', 0))`;

/**
 * Applies pending migrations in order, each in its own transaction.
 *
 * Several services may start at once against an empty database. Each
 * transaction first takes a transaction-level advisory lock, then re-reads
 * what is applied, so exactly one of them applies a given migration and the
 * others see it done. `create schema if not exists` is not race-safe on its
 * own (two sessions can both try to insert the namespace), hence it also runs
 * under the lock.
 */
export async function runMigrations(pool: pg.Pool, plan: MigrationPlan): Promise<void> {
  if (!QUALIFIED_NAME.test(plan.table)) {
    throw new Error(`migration table must be a lower-case schema-qualified name, got "${plan.table}"`);
  }
  const schema = plan.table.split('.')[0];
  const names = new Set<string>();
  for (const migration of plan.migrations) {
    if (names.has(migration.name)) throw new Error(`duplicate migration name ${migration.name}`);
    names.add(migration.name);
  }

  for (;;) {
    const applied = await applyNext(pool, plan, schema ?? 'crh');
    if (!applied) return;
  }
}

/**
 * The plan's migrations not yet applied, in order (all of them when its
 * table does not exist yet). Reads only: what a service whose role may not
 * change the schema checks before it starts.
 */
export async function pendingMigrations(db: Queryable, plan: MigrationPlan): Promise<string[]> {
  const { rows: exists } = await db.query<{ found: boolean }>('select to_regclass($1) is not null as found', [
    plan.table,
  ]);
  if (!exists[0]?.found) return plan.migrations.map((migration) => migration.name);
  const { rows } = await db.query<{ name: string }>(`select name from ${plan.table}`);
  const done = new Set(rows.map((row) => row.name));
  return plan.migrations.filter((migration) => !done.has(migration.name)).map((migration) => migration.name);
}

/** A pool or a client. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

async function applyNext(pool: pg.Pool, plan: MigrationPlan, schema: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    // A migration may rewrite or index a large table, and waits for the
    // other services' migrations: no statement timeout for it.
    await client.query('begin; set local statement_timeout = 0');
    await client.query(LOCK_SQL);
    await client.query('create schema if not exists crh');
    if (schema !== 'crh') await client.query(`create schema if not exists ${schema}`);
    await client.query(
      `create table if not exists ${plan.table} (
         name text primary key,
         applied_at timestamptz not null default now()
       )`,
    );
    const { rows } = await client.query<{ name: string }>(`select name from ${plan.table}`);
    const done = new Set(rows.map((row) => row.name));
    const next = plan.migrations.find((migration) => !done.has(migration.name));
    if (next) {
      await client.query(next.sql);
      await client.query(`insert into ${plan.table} (name) values ($1)`, [next.name]);
    }
    await client.query('commit');
    return next !== undefined;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
