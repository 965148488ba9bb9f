import { migrateCustomerKeys } from '@crh/event-store/encryption';
import { createPostgresEventStore, type PostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { migrateReadModels } from '@crh/read-models/schema';
import type { Pool } from 'pg';
import { createTestDatabase } from './test-database.ts';

export interface PlatformTestDatabase {
  url: string;
  pool: Pool;
  store: PostgresEventStore;
  /** Closes the store and pool and drops the database. */
  close(): Promise<void>;
}

/** A fresh database with the event log, the customers' keys and the read models migrated, as the services see it. */
export async function openPlatformTestDatabase(poolSize = 4): Promise<PlatformTestDatabase> {
  const database = await createTestDatabase();
  const pool = createPgPool(database.url, { max: poolSize });
  const store = createPostgresEventStore({ pool });
  await store.migrate();
  await migrateCustomerKeys(pool);
  await migrateReadModels(pool);
  return {
    url: database.url,
    pool,
    store,
    async close() {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
}
