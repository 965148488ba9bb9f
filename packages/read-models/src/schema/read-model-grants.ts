import { checkRoleName, joinRole, type Queryable, quoteIdent } from '@crh/postgres';
import { READ_MODEL_MIGRATIONS_TABLE } from './migrate.ts';
import { READ_MODEL_TABLES } from './read-model-fingerprint.ts';
import { SHADOW_SCHEMA } from './shadow-schema.ts';

/**
 * The read-model tables a rebuild does not replace: the projection's
 * checkpoint and clock, the feeds and the parked and skipped events. The
 * projector reads and writes them; they keep their owner.
 */
export const KEPT_READ_MODEL_TABLES = [
  'crh.projection_checkpoints',
  'crh.projection_partitions',
  'crh.parked_events',
  'crh.relationship_status_changes',
  'crh.signal_alerts',
  'crh.skipped_events',
] as const;

export interface ReadModelGrants {
  /** The projector's role: it owns the tables a rebuild replaces. */
  projector: string;
  /** Roles that read the read models (the gateway), nothing else. */
  readers: readonly string[];
}

/**
 * What the services may do with the read models, run by the owner after the
 * migrations (and again after every upgrade: a migration may create tables).
 *
 * A blue/green rebuild is DDL by nature: it creates the schema `crh_next`
 * (CREATE on the database), drops the live tables and moves the new ones
 * into `crh` (ownership of the tables, CREATE on `crh`). So the projector's
 * role owns the tables a rebuild replaces, and the owner joins that role to
 * hand them over and to alter them in later migrations. What the projector
 * creates in a build is readable by the readers at once (default privileges
 * of the projector's role, for tables in any schema), so a swap never locks
 * the gateway out. The projector may not touch the event log beyond reading
 * it (see grantEventLog), and the readers may only read.
 */
export async function grantReadModels(db: Queryable, grants: ReadModelGrants): Promise<void> {
  const projector = quoteIdent(checkRoleName(grants.projector));
  const readers = grants.readers.map(checkRoleName).map(quoteIdent).join(', ');
  const everyTable = [...READ_MODEL_TABLES, ...KEPT_READ_MODEL_TABLES].join(', ');
  const kept = KEPT_READ_MODEL_TABLES.join(', ');

  await joinRole(db, grants.projector);
  await db.query(`grant usage, create on schema crh to ${projector}`);
  const { rows } = await db.query<{ sql: string }>(
    `select format('grant create on database %I to %I', current_database(), $1::text) as sql`,
    [grants.projector],
  );
  await db.query(rows[0]!.sql);
  // A shadow schema a crashed build of another role left would stop the projector's next build.
  await db.query(
    `do $$ begin
       if exists (select 1 from pg_namespace where nspname = '${SHADOW_SCHEMA}'
                  and not pg_has_role(${sqlLiteral(grants.projector)}, nspowner, 'USAGE')) then
         drop schema ${SHADOW_SCHEMA} cascade;
       end if;
     end $$`,
  );
  for (const table of READ_MODEL_TABLES) await db.query(`alter table ${table} owner to ${projector}`);
  await db.query(`revoke all on ${kept} from ${projector}`);
  await db.query(`grant select, insert, update, delete on ${kept} to ${projector}`);
  const sequences = await db.query<{ name: string }>(
    `select s.oid::regclass::text as name
     from pg_class s join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
     where s.relkind = 'S' and d.refobjid = any($1::regclass[]) and d.deptype in ('a', 'i')`,
    [KEPT_READ_MODEL_TABLES],
  );
  for (const { name } of sequences.rows) await db.query(`grant usage on sequence ${name} to ${projector}`);
  await db.query(`grant select on ${READ_MODEL_MIGRATIONS_TABLE} to ${projector}`);
  if (!readers) return;
  await db.query(`grant usage on schema crh to ${readers}`);
  await db.query(`revoke all on ${everyTable} from ${readers}`);
  await db.query(`grant select on ${everyTable}, ${READ_MODEL_MIGRATIONS_TABLE} to ${readers}`);
  await db.query(`alter default privileges for role ${projector} grant select on tables to ${readers}`);
}

const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;
