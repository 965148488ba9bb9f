import { randomBytes } from 'node:crypto';
import { loadConfig } from '@crh/config';
import { CustomerKeys, masterKeyOf } from '@crh/event-store/encryption';
import { createPostgresEventStore, type PostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { buildRelationships } from '@crh/read-models/rebuild';
import { createProjector } from '@crh/read-models/runner';
import { READ_MODEL_TABLES } from '@crh/read-models/schema';
import { createTestDatabase, quietLogger, type TestDatabase, testEvent, withDatabase } from '@crh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migrateDatabase,
  projectorRoleToActAs,
  ROLE_SERVICES,
  type RoleService,
  type ServiceRoles,
  serviceRoleNames,
  setUpServiceRoles,
  urlAs,
} from './service-roles.ts';

// Least privilege on a real PostgreSQL: an owner that is no superuser (only
// CREATEROLE, and the database's owner) migrates and sets up the services'
// roles; then each service's role may do what its service does and gets
// 42501 (insufficient privilege) for anything else. Roles are cluster-wide,
// so each run uses roles of its own prefix and drops them at the end.

const prefix = `crh_t${randomBytes(5).toString('hex')}`;
const roles = serviceRoleNames(prefix);
const owner = `${prefix}_owner`;
const rules = loadConfig({}).rules;
const DENIED = { code: '42501' };

let database: TestDatabase;
let admin: pg.Client;
let ownerPool: pg.Pool;
const pools = {} as Record<RoleService, pg.Pool>;
const stores = {} as Record<RoleService, PostgresEventStore>;

const onboarded = (customerId: string) =>
  testEvent(customerId, 'CustomerOnboarded', '2026-03-01T09:00:00Z', {
    name: `Customer ${customerId}`,
    tier: 'key',
    accountManagerId: 'am-r',
  });
const contact = (customerId: string, day: string) =>
  testEvent(customerId, 'ContactLogged', `2026-03-${day}T09:00:00Z`, {
    channel: 'call',
    direction: 'outbound',
  });

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // The owner: no superuser, as on a managed PostgreSQL.
  await admin.query(`create role ${owner} login createrole password 'pw-owner'`);
  await admin.query(`alter database ${new URL(database.url).pathname.slice(1)} owner to ${owner}`);
  ownerPool = createPgPool(urlAs(database.url, owner, 'pw-owner'), { max: 2 });
  await migrateDatabase(ownerPool, 'postgres');
  const passwords = Object.fromEntries(ROLE_SERVICES.map((s) => [s, `pw-${s}`])) as ServiceRoles;
  await setUpServiceRoles(ownerPool, roles, passwords);
  for (const service of ROLE_SERVICES) {
    pools[service] = createPgPool(urlAs(database.url, roles[service], passwords[service]), { max: 6 });
    stores[service] = createPostgresEventStore({ pool: pools[service] });
  }
}, 60_000);

afterAll(async () => {
  for (const service of ROLE_SERVICES) {
    await stores[service]?.close();
    await pools[service]?.end();
  }
  await ownerPool?.end();
  await admin?.end();
  await database?.drop();
  // The database and everything in it are gone: the roles own nothing any more.
  const cluster = new pg.Client({ connectionString: withDatabase(database.url, 'postgres') });
  await cluster.connect();
  try {
    for (const role of [...Object.values(roles), owner]) await cluster.query(`drop role if exists ${role}`);
  } finally {
    await cluster.end();
  }
});

/**
 * Until the log's readers see `appended`: they read only below the oldest
 * transaction running in the whole cluster (gap-free order), which another
 * test's open transaction can hold back for a moment.
 */
async function readable(appended: readonly { position: string }[]): Promise<void> {
  const last = appended.at(-1)!.position;
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (((await stores.projector.headPosition()) ?? '') >= last) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`position ${last} did not become readable`);
}

const as = (service: RoleService, sql: string, values: unknown[] = []) => pools[service].query(sql, values);

describe('ingest', () => {
  it('appends events and reads them back', async () => {
    const [outcome] = await stores.ingest.append([onboarded('r-1')]);
    expect(outcome?.status).toBe('recorded');
    expect(await stores.ingest.readStream('r-1')).toHaveLength(1);
  });

  it('may not change the append-only log: no UPDATE, DELETE or TRUNCATE', async () => {
    await expect(as('ingest', `update crh.events set type = 'X'`)).rejects.toMatchObject(DENIED);
    await expect(as('ingest', 'delete from crh.events')).rejects.toMatchObject(DENIED);
    await expect(as('ingest', 'truncate crh.events')).rejects.toMatchObject(DENIED);
    expect(await stores.ingest.readStream('r-1')).toHaveLength(1);
  });

  it('may create no table, in crh or elsewhere, nor alter one', async () => {
    await expect(as('ingest', 'create table crh.x (a int)')).rejects.toMatchObject(DENIED);
    await expect(as('ingest', 'create schema crh_x')).rejects.toMatchObject(DENIED);
    await expect(as('ingest', 'alter table crh.events add column x int')).rejects.toMatchObject(DENIED);
  });

  it('reads no read model', async () => {
    await expect(as('ingest', 'select * from crh.rm_relationships')).rejects.toMatchObject(DENIED);
  });

  it("creates customers' keys through the sealing store, and may neither empty nor change one", async () => {
    const sealing = new CustomerKeys(pools.ingest, { master: masterKeyOf(randomBytes(32)) });
    expect((await sealing.forSealing(['r-key'])).get('r-key')).toBeDefined();
    await expect(as('ingest', 'update crh.customer_keys set wrapped = null')).rejects.toMatchObject(DENIED);
    await expect(as('ingest', 'delete from crh.customer_keys')).rejects.toMatchObject(DENIED);
    await expect(
      as('ingest', `update crh.customer_keys_master set master_key_id = 'x'`),
    ).rejects.toMatchObject(DENIED);
  });

  it("destroys a customer's key only through the erasure function, and writes the audit trail it may not read", async () => {
    const keys = new CustomerKeys(pools.ingest, { master: masterKeyOf(randomBytes(32)) });
    await as(
      'ingest',
      `insert into crh.customer_keys (customer_id, wrapped, master_key_id) values ('r-erased', '\\x00', 'm')`,
    );
    expect((await keys.erase('r-erased')).first).toBe(true);
    expect((await keys.erase('r-erased')).first).toBe(false);
    const { rows } = await as(
      'ingest',
      `select wrapped, erased_at from crh.customer_keys where customer_id = 'r-erased'`,
    );
    expect(rows).toEqual([{ wrapped: null, erased_at: expect.any(Date) }]);
    await as(
      'ingest',
      `insert into crh.customer_erasures (customer_id, requested_by, erased_at, first, position)
       values ('r-erased', 'admin', now(), true, '0')`,
    );
    await expect(as('ingest', 'select * from crh.customer_erasures')).rejects.toMatchObject(DENIED);
    // An erased customer's plaintext (stored before sealing) nulled, by ingest only.
    expect((await as('ingest', `select crh.erase_stored_plaintext('r-erased') as n`)).rows).toEqual([
      { n: 0 },
    ]);
    for (const role of ['gateway', 'projector', 'relay'] as const) {
      await expect(as(role, `select * from crh.erase_customer_key('r-key')`)).rejects.toMatchObject(DENIED);
      await expect(as(role, `select crh.erase_stored_plaintext('r-1')`)).rejects.toMatchObject(DENIED);
    }
  });
});

describe('relay', () => {
  it('reads the log and moves its checkpoint', async () => {
    expect(await stores.relay.readStream('r-1')).toHaveLength(1);
    const upsert = `insert into crh.relay_checkpoints (topic, position) values ('t', $1)
                    on conflict (topic) do update set position = excluded.position`;
    await as('relay', upsert, ['01']);
    await as('relay', upsert, ['02']);
    expect((await as('relay', 'select position from crh.relay_checkpoints')).rows).toEqual([
      { position: '02' },
    ]);
  });

  it('writes no event, and neither reads nor creates a customer key (it copies the log sealed)', async () => {
    await expect(stores.relay.append([onboarded('r-relay')])).rejects.toMatchObject(DENIED);
    await expect(as('relay', 'select customer_id from crh.customer_keys')).rejects.toMatchObject(DENIED);
    await expect(
      as(
        'relay',
        `insert into crh.customer_keys (customer_id, wrapped, master_key_id) values ('x', '\\x00', 'm')`,
      ),
    ).rejects.toMatchObject(DENIED);
    await expect(as('relay', 'delete from crh.events')).rejects.toMatchObject(DENIED);
  });
});

describe('projector', () => {
  const projector = () =>
    createProjector({
      store: stores.projector,
      pool: pools.projector,
      logger: quietLogger,
      context: rules,
      batchSize: 10,
      now: () => new Date('2026-03-10T12:00:00Z'),
    });

  it('builds the read models on its first start and then projects the log into them', async () => {
    await readable(await stores.ingest.append([contact('r-1', '02'), onboarded('r-2')]));
    await projector().catchUp(); // the first start builds (blue/green) what the log holds
    await readable(await stores.ingest.append([contact('r-2', '04'), onboarded('r-3')]));
    expect(await projector().catchUp()).toBe(2);
    expect((await as('projector', 'select * from crh.parked_events')).rowCount).toBe(0);
    const { rows } = await as('gateway', 'select customer_id from crh.rm_relationships order by 1');
    expect(rows).toEqual([{ customer_id: 'r-1' }, { customer_id: 'r-2' }, { customer_id: 'r-3' }]);
  });

  it('rebuilds blue/green as its own role, and the gateway reads the swapped-in tables', async () => {
    const upTo = (await stores.projector.headPosition())!;
    const built = await buildRelationships(
      pools.projector,
      stores.projector,
      rules,
      upTo,
      () => new Date('2026-03-10T12:00:00Z'),
      { force: true },
    );
    expect(built?.customers).toBe(3);
    const { rows: owners } = await ownerPool.query<{ owner: string }>(
      `select distinct pg_get_userbyid(c.relowner) as owner from pg_class c where c.oid = any($1::regclass[])`,
      [READ_MODEL_TABLES],
    );
    expect(owners).toEqual([{ owner: roles.projector }]);
    const { rows } = await as('gateway', 'select count(*)::int as n from crh.rm_relationship_intervals');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('may not change the log or the relay checkpoint', async () => {
    await expect(as('projector', 'delete from crh.events')).rejects.toMatchObject(DENIED);
    await expect(as('projector', 'truncate crh.events')).rejects.toMatchObject(DENIED);
    await expect(stores.projector.append([onboarded('r-projector')])).rejects.toMatchObject(DENIED);
    await expect(as('projector', `delete from crh.relay_checkpoints`)).rejects.toMatchObject(DENIED);
  });
});

describe('gateway', () => {
  it('appends events (mutations) and reads the read models', async () => {
    const [outcome] = await stores.gateway.append([contact('r-2', '03')]);
    expect(outcome?.status).toBe('recorded');
    expect((await as('gateway', 'select * from crh.projection_checkpoints')).rowCount).toBe(1);
  });

  it('writes no read model and changes no event', async () => {
    await expect(
      as('gateway', `update crh.rm_relationships set announced_status = null`),
    ).rejects.toMatchObject(DENIED);
    await expect(as('gateway', 'delete from crh.rm_relationship_intervals')).rejects.toMatchObject(DENIED);
    await expect(
      as('gateway', 'update crh.projection_checkpoints set position = null'),
    ).rejects.toMatchObject(DENIED);
    await expect(as('gateway', 'truncate crh.rm_kpi_levels')).rejects.toMatchObject(DENIED);
    await expect(as('gateway', 'drop table crh.rm_relationships')).rejects.toMatchObject(DENIED);
    await expect(as('gateway', `update crh.events set type = 'X'`)).rejects.toMatchObject(DENIED);
  });
});

describe('the owner', () => {
  it('still alters the tables the projector owns (a later migration) and sets the roles up again', async () => {
    await ownerPool.query('alter table crh.rm_relationships add column migrated_later int');
    await ownerPool.query('alter table crh.rm_relationships drop column migrated_later');
    await setUpServiceRoles(ownerPool, roles);
    expect((await as('gateway', 'select * from crh.rm_relationships')).rowCount).toBe(3);
  });

  it('has `crh rebuild` act as the projector, only where the roles were set up', async () => {
    expect(await projectorRoleToActAs(ownerPool, roles)).toBe(roles.projector);
    // The roles exist in the whole cluster, but another database never had them granted anything.
    const other = await createTestDatabase();
    const pool = createPgPool(other.url, { max: 1 });
    try {
      await migrateDatabase(pool, 'postgres');
      expect(await projectorRoleToActAs(pool, roles)).toBeUndefined();
    } finally {
      await pool.end();
      await other.drop();
    }
  });

  it('leaves no table of schema crh out of the grants', async () => {
    // A table a future migration adds without a grant would leave a service
    // denied in production: every table must be known to the grants.
    const { rows } = await ownerPool.query<{ table: string }>(
      `select format('%I.%I', schemaname, tablename) as table from pg_tables where schemaname = 'crh' order by 1`,
    );
    const granted = await ownerPool.query<{ table: string }>(
      `select distinct format('%I.%I', table_schema, table_name) as table
       from information_schema.role_table_grants
       where table_schema = 'crh' and grantee = any($1::text[])`,
      [Object.values(roles)],
    );
    const owned = await ownerPool.query<{ table: string }>(
      `select format('%I.%I', schemaname, tablename) as table from pg_tables where schemaname = 'crh' and tableowner = $1`,
      [roles.projector],
    );
    const covered = new Set([...granted.rows, ...owned.rows].map((r) => r.table));
    expect(rows.map((r) => r.table).filter((table) => !covered.has(table))).toEqual([]);
  });
});
