import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { describeEventStoreContract } from '../../testing/contract-suite.ts';
import { createPostgresEventStore } from './postgres-event-store.ts';

describeEventStoreContract('postgres', async () => {
  const database = await createTestDatabase();
  // Room for the contract's eight concurrent writers plus a reader.
  const pool = createPgPool(database.url, { max: 12, applicationName: 'crh-event-store-test' });
  const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
  return {
    store,
    cleanup: async () => {
      await pool.end();
      await database.drop();
    },
  };
});
