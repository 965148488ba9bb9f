import { checkRoleName, type MigrationPlan, type Queryable, quoteIdent, runMigrations } from '@crh/postgres';
import type { Pool } from 'pg';

/**
 * The customers' data keys live in PostgreSQL whichever store holds the
 * log (EventStoreDB too), in a table of their own, never beside the events
 * they open. Released migrations are never edited: add a new one instead.
 */
export const CUSTOMER_KEYS_MIGRATION_PLAN: MigrationPlan = {
  table: 'crh.customer_keys_migrations',
  migrations: [
    {
      // Each customer's data key, wrapped by the master key. Erasure keeps
      // the row and empties it (wrapped null, erased_at set): the row is the
      // tombstone that stops a key being created again for an erased
      // customer, and an insert racing an erasure conflicts with it rather
      // than slipping in after a delete.
      name: '001_customer_keys',
      sql: `
        create table crh.customer_keys (
          customer_id text collate "C" primary key,
          wrapped bytea,
          master_key_id text,
          created_at timestamptz not null default now(),
          erased_at timestamptz,
          constraint customer_keys_key_or_erased check ((wrapped is null) = (erased_at is not null)),
          constraint customer_keys_wrapped_by check ((wrapped is null) = (master_key_id is null))
        );
        create index customer_keys_by_master on crh.customer_keys (master_key_id) where wrapped is not null;
        -- The master key this database's data keys are wrapped by, recorded by
        -- the first process that opens them: one started with another key
        -- (another CRH_DATA_DIR, a wrong CRH_MASTER_KEY_FILE) stops at once
        -- rather than wrap new keys that the others cannot open.
        create table crh.customer_keys_master (
          singleton boolean primary key default true check (singleton),
          master_key_id text not null,
          recorded_at timestamptz not null default now()
        );
      `,
    },
    {
      // The erasures' audit trail (GDPR article 30): who asked, when, why;
      // never what was erased. One row per request, repeats included.
      name: '002_customer_erasures',
      sql: `
        create table crh.customer_erasures (
          id bigint generated always as identity primary key,
          customer_id text collate "C" not null,
          requested_at timestamptz not null default now(),
          requested_by text not null,
          reason text,
          erased_at timestamptz not null,
          -- false: the customer was erased before, this request changed nothing.
          first boolean not null,
          position text not null
        );
        create index customer_erasures_by_customer on crh.customer_erasures (customer_id, requested_at);

        -- Destroys a customer's data key: empties its row, or writes an empty
        -- one for a customer that never had a key. The row stays as the
        -- tombstone that stops a key being made again. Answers when the key
        -- was destroyed and whether this call did it (false: erased before,
        -- maybe by a concurrent call that committed first, which the second
        -- statement's fresh snapshot sees). A function of the owner's, so the
        -- role serving erasures may destroy a key and do nothing else to one.
        create function crh.erase_customer_key(erased_customer text)
          returns table (erased_at timestamptz, first boolean)
          language plpgsql security definer set search_path = pg_catalog, pg_temp as $fn$
        declare
          destroyed timestamptz;
        begin
          insert into crh.customer_keys as k (customer_id, wrapped, master_key_id, erased_at)
          values (erased_customer, null, null, now())
          on conflict (customer_id) do update set wrapped = null, master_key_id = null, erased_at = now()
            where k.erased_at is null
          returning k.erased_at into destroyed;
          if destroyed is not null then
            return query select destroyed, true;
          else
            return query select k.erased_at, false from crh.customer_keys k where k.customer_id = erased_customer;
          end if;
        end
        $fn$;
        revoke all on function crh.erase_customer_key(text) from public;
      `,
    },
  ],
};

export function migrateCustomerKeys(pool: Pool): Promise<void> {
  return runMigrations(pool, CUSTOMER_KEYS_MIGRATION_PLAN);
}

export interface CustomerKeyGrants {
  /** Roles that append personal data: read keys and create them. */
  sealers: readonly string[];
  /** Roles that only read the log: read keys. */
  openers: readonly string[];
  /** Roles that serve the erasure call: destroy keys and write the audit trail (not read it). */
  erasers?: readonly string[];
}

/**
 * What the services may do with the keys, run by the owner after the
 * migrations: appenders read and insert, readers read, erasers empty a key
 * and add to the audit trail; no service role may delete a row, and each role's privileges are set
 * exactly (what it held before is revoked first).
 */
export async function grantCustomerKeys(db: Queryable, grants: CustomerKeyGrants): Promise<void> {
  const sealers = grants.sealers.map(checkRoleName).map(quoteIdent);
  const erasers = (grants.erasers ?? []).map(checkRoleName).map(quoteIdent);
  const all = [...new Set([...grants.sealers, ...grants.openers, ...(grants.erasers ?? [])])]
    .map(checkRoleName)
    .map(quoteIdent);
  if (all.length === 0) return;
  await db.query(`grant usage on schema crh to ${all.join(', ')}`);
  await db.query(`revoke all on crh.customer_keys from ${all.join(', ')}`);
  await db.query(`revoke all on crh.customer_keys_master from ${all.join(', ')}`);
  await db.query(`revoke all on crh.customer_erasures from ${all.join(', ')}`);
  await db.query(
    `grant select on crh.customer_keys, crh.customer_keys_master, ${CUSTOMER_KEYS_MIGRATION_PLAN.table} to ${all.join(', ')}`,
  );
  // Any service may record the master key first (a new database); only the owner changes it (rotation).
  await db.query(`grant insert on crh.customer_keys_master to ${all.join(', ')}`);
  if (sealers.length > 0) {
    await db.query(`grant insert on crh.customer_keys to ${sealers.join(', ')}`);
    // A new key reads the recorded master FOR SHARE (see CustomerKeys), which
    // PostgreSQL allows only with UPDATE on some column: this harmless one.
    await db.query(`grant update (recorded_at) on crh.customer_keys_master to ${sealers.join(', ')}`);
  }
  await db.query(`revoke all on function crh.erase_customer_key(text) from ${all.join(', ')}`);
  if (erasers.length > 0) {
    // Destroying a key is the owner's function: no eraser may change a key otherwise.
    await db.query(`grant execute on function crh.erase_customer_key(text) to ${erasers.join(', ')}`);
    await db.query(`grant insert on crh.customer_erasures to ${erasers.join(', ')}`);
  }
}
