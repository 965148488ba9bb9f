import type { PlatformConfig } from '@crh/config';
import { grantRelayCheckpoints, migrateRelayCheckpoints } from '@crh/event-relay';
import { grantCustomerKeys, migrateCustomerKeys } from '@crh/event-store/encryption';
import { createPostgresEventStore, grantEventLog } from '@crh/event-store/postgres';
import { ensureLoginRole, quoteIdent } from '@crh/postgres';
import { grantReadModels, migrateReadModels } from '@crh/read-models/schema';
import type { Pool } from 'pg';

/** The services that log in to PostgreSQL, each as a role of its own. */
export const ROLE_SERVICES = ['ingest', 'projector', 'gateway', 'relay'] as const;
export type RoleService = (typeof ROLE_SERVICES)[number];
type EventStoreKind = PlatformConfig['env']['EVENT_STORE'];
export type ServiceRoles = Record<RoleService, string>;

/** `<prefix>_ingest`, `<prefix>_projector`, …: roles are per cluster, the prefix tells crh databases apart. */
export function serviceRoleNames(prefix: string): ServiceRoles {
  return Object.fromEntries(
    ROLE_SERVICES.map((service) => [service, `${prefix}_${service}`]),
  ) as ServiceRoles;
}

/** The passwords `crh migrate` gives the roles: CRH_DB_<SERVICE>_PASSWORD, when set. */
export function rolePasswordsFrom(env: PlatformConfig['env']): Partial<ServiceRoles> {
  const passwords: Partial<ServiceRoles> = {
    ingest: env.CRH_DB_INGEST_PASSWORD,
    projector: env.CRH_DB_PROJECTOR_PASSWORD,
    gateway: env.CRH_DB_GATEWAY_PASSWORD,
    relay: env.CRH_DB_RELAY_PASSWORD,
  };
  return Object.fromEntries(Object.entries(passwords).filter(([, value]) => value)) as Partial<ServiceRoles>;
}

/**
 * Every migration of the platform's PostgreSQL, as the role of `pool` (the
 * owner): the event log when it lives there (EVENT_STORE=postgres;
 * EventStoreDB has no schema, and is not needed to migrate), the read models
 * and the relay's checkpoints.
 */
export async function migrateDatabase(pool: Pool, eventStore: EventStoreKind): Promise<void> {
  if (eventStore === 'postgres') await createPostgresEventStore({ pool }).migrate();
  // The customers' data keys: in PostgreSQL whichever store holds the log.
  await migrateCustomerKeys(pool);
  await migrateReadModels(pool);
  await migrateRelayCheckpoints(pool);
}

// The migrations' lock: grants never interleave with another `crh migrate` or a service migrating.
const LOCK_SQL = `select pg_advisory_xact_lock(hashtextextended('crh.migrations', 0))`;

/**
 * Creates the services' roles when missing (passwords from `passwords`,
 * else as they are) and gives each exactly what it needs, in one
 * transaction, as the owner, after the migrations (docs/operations.md,
 * "Database roles"):
 *
 * - ingest: read and append the event log, read and create customers' keys;
 * - gateway: read and append the event log (mutations), read and create keys, read the read models;
 * - projector: read the event log and the keys, own and rebuild the read models;
 * - relay: read the event log and the keys, read and move its checkpoints.
 *
 * Run again after every upgrade (`crh migrate` does): a migration may add tables.
 */
export async function setUpServiceRoles(
  pool: Pool,
  roles: ServiceRoles,
  passwords: Partial<ServiceRoles> = {},
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(LOCK_SQL);
    for (const service of ROLE_SERVICES) await ensureLoginRole(client, roles[service], passwords[service]);
    const all = ROLE_SERVICES.map((service) => quoteIdent(roles[service])).join(', ');
    const { rows: database } = await client.query<{ sql: string }>(
      `select format('grant connect on database %I to ', current_database()) as sql`,
    );
    await client.query(`${database[0]!.sql}${all}`);
    const { rows } = await client.query<{ events: boolean; relay: boolean }>(
      `select to_regclass('crh.events') is not null as events, to_regclass('crh.relay_checkpoints') is not null as relay`,
    );
    // With EVENT_STORE=eventstoredb the log is not in PostgreSQL: nothing to grant on it.
    if (rows[0]?.events) {
      await grantEventLog(client, {
        appenders: [roles.ingest, roles.gateway],
        readers: [roles.projector, roles.relay],
        erasers: [roles.ingest],
      });
    }
    // Appenders seal (and so create keys), readers open; ingest serves the erasure call.
    // The relay copies the log as stored (sealed): it gets no key at all.
    await grantCustomerKeys(client, {
      sealers: [roles.ingest, roles.gateway],
      openers: [roles.projector],
      erasers: [roles.ingest],
    });
    await grantReadModels(client, { projector: roles.projector, readers: [roles.gateway] });
    if (rows[0]?.relay) await grantRelayCheckpoints(client, roles.relay);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** `url` with another user and password (a service's role on the same server and database). */
export function urlAs(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * The projector's role when `crh migrate` set it up and this session may act
 * as it: `crh rebuild` builds as the projector, so the tables it swaps in are
 * owned and readable as the projector's own are. Undefined otherwise
 * (services that connect as the owner): the build runs as the owner, as before.
 */
export async function projectorRoleToActAs(pool: Pool, roles: ServiceRoles): Promise<string | undefined> {
  const { rows } = await pool.query<{ role: string }>(
    // Roles are per cluster: the role must own this database's read models (crh migrate ran here).
    `select r.rolname as role from pg_roles r
     where r.rolname = $1 and r.rolname <> current_user and pg_has_role(current_user, r.oid, 'MEMBER')
       and r.oid = (select c.relowner from pg_class c where c.oid = to_regclass('crh.rm_relationships'))`,
    [roles.projector],
  );
  return rows[0]?.role;
}
