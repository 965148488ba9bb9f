import type { Queryable } from './migration-runner.ts';

/*
 * Least privilege (docs/operations.md#database-roles): one owner role owns the
 * schema and runs the migrations; each service logs in as a role of its own
 * that may read and write what that service needs and nothing else. These
 * are the generic steps; each package grants its own tables (the event
 * store, the read models, the relay), and the command line puts them together.
 */

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkRoleName(name: string): string {
  if (!ROLE_NAME.test(name)) throw new Error(`not a role name crh creates: "${name}" (a-z, 0-9, _)`);
  return name;
}

/**
 * Whether this session may change the schema: it has the privileges of the
 * owner of schema `crh` (the owner itself, a member of it, a superuser), or,
 * before the schema exists, may create schemas in the database. A service
 * role may not, and must then find the schema migrated instead.
 */
export async function canChangeSchema(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ allowed: boolean }>(
    `select coalesce(
       (select pg_has_role(current_user, n.nspowner, 'USAGE') from pg_namespace n where n.nspname = 'crh'),
       has_database_privilege(current_database(), 'CREATE')
     ) as allowed`,
  );
  return rows[0]?.allowed === true;
}

/** The roles that exist among `names`. */
export async function existingRoles(db: Queryable, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ rolname: string }>(
    'select rolname from pg_roles where rolname = any($1::text[])',
    [names],
  );
  return new Set(rows.map((row) => row.rolname));
}

/**
 * A login role that can do nothing but log in (no superuser, no CREATEDB,
 * no CREATEROLE, no replication); created when missing, its password set
 * when one is given (else left as it is). Needs CREATEROLE (or a superuser)
 * for both; a role that exists and gets no password needs neither.
 */
export async function ensureLoginRole(db: Queryable, name: string, password?: string): Promise<void> {
  checkRoleName(name);
  const exists = (await existingRoles(db, [name])).has(name);
  if (exists && password === undefined) return;
  // The statement is put together by the server (format %I/%L), so a password holds any character.
  const { rows } = await db.query<{ sql: string }>(
    exists
      ? `select format('alter role %I with login password %L', $1::text, $2::text) as sql`
      : `select format('create role %I with login nosuperuser nocreatedb nocreaterole noreplication inherit password %L', $1::text, $2::text) as sql`,
    [name, password ?? null],
  );
  try {
    await db.query(rows[0]!.sql);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42710: created meanwhile by another `crh migrate`; a password is set below.
    if (code === '42710' && !exists) return ensureLoginRole(db, name, password);
    if (code === '42501') {
      throw new Error(
        `the role running the migrations may not ${exists ? 'set the password of' : 'create'} the database role "${name}" ` +
          `(it needs CREATEROLE): create it yourself (CREATE ROLE ${name} LOGIN PASSWORD '…') and migrate again`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Makes the current role a member of `role` that inherits its privileges
 * and may SET ROLE to it, so the owner can hand tables over to it, set its
 * default privileges and still alter those tables in later migrations.
 * Nothing to do for a superuser or a member already. PostgreSQL 16 splits
 * membership into ADMIN, INHERIT and SET: a CREATEROLE owner that created
 * the role holds ADMIN only, and grants itself the other two.
 */
export async function joinRole(db: Queryable, role: string): Promise<void> {
  checkRoleName(role);
  const { rows } = await db.query<{ member: boolean; me: string; version: number }>(
    `select pg_has_role(current_user, $1, 'USAGE') as member, current_user as me,
            current_setting('server_version_num')::int as version`,
    [role],
  );
  const { member, me, version } = rows[0]!;
  let grant = `grant ${role} to ${quoteIdent(me)}`;
  if (version >= 160000) {
    const { rows: set } = await db.query<{ allowed: boolean }>(
      `select pg_has_role(current_user, $1, 'SET') as allowed`,
      [role],
    );
    if (member && set[0]?.allowed) return;
    grant += ' with inherit true, set true';
  } else if (member) return;
  try {
    await db.query(grant);
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    throw new Error(
      `the role running the migrations (${me}) must be a member of "${role}" and may not make itself one: ` +
        `as a superuser, run ${grant}`,
      { cause: error },
    );
  }
}

/** Double-quotes an identifier (doubling inner quotes). */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
