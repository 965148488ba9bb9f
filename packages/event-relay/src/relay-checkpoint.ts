import { checkRoleName, type MigrationPlan, type Queryable, quoteIdent, runMigrations } from '@crh/postgres';
import type { Pool } from 'pg';

/**
 * How far the relay has copied the log to a topic: the position of the last
 * event of the last batch whose messages the brokers acknowledged. One row
 * per topic, so relays of different topics (tests, a v2 topic) never share it.
 * Released migrations are never edited: add a new one instead.
 */
export const RELAY_MIGRATION_PLAN: MigrationPlan = {
  table: 'crh.relay_migrations',
  migrations: [
    {
      // `if not exists`: relays before this plan created the table themselves.
      name: '001_relay_checkpoints',
      sql: `
        create table if not exists crh.relay_checkpoints (
          topic text primary key,
          position text not null,
          updated_at timestamptz not null default now()
        )`,
    },
  ],
};

export function migrateRelayCheckpoints(pool: Pool): Promise<void> {
  return runMigrations(pool, RELAY_MIGRATION_PLAN);
}

/** The relay's role reads and moves its checkpoints; it reads the log (grantEventLog) and nothing else. */
export async function grantRelayCheckpoints(db: Queryable, relay: string): Promise<void> {
  const role = quoteIdent(checkRoleName(relay));
  await db.query(`grant usage on schema crh to ${role}`);
  await db.query(`revoke all on crh.relay_checkpoints from ${role}`);
  await db.query(`grant select, insert, update on crh.relay_checkpoints to ${role}`);
  await db.query(`grant select on ${RELAY_MIGRATION_PLAN.table} to ${role}`);
}

export async function readRelayCheckpoint(pool: Pool, topic: string): Promise<string | null> {
  const { rows } = await pool.query<{ position: string }>(
    'select position from crh.relay_checkpoints where topic = $1',
    [topic],
  );
  return rows[0]?.position ?? null;
}

/**
 * Moves the checkpoint forward, never back: positions are fixed-width, so
 * text order is log order, and a late write from a relay that lost its lead
 * cannot undo a newer one.
 */
export async function writeRelayCheckpoint(pool: Pool, topic: string, position: string): Promise<void> {
  await pool.query(
    `insert into crh.relay_checkpoints (topic, position) values ($1, $2)
     on conflict (topic) do update set position = excluded.position, updated_at = now()
     where crh.relay_checkpoints.position < excluded.position`,
    [topic, position],
  );
}
