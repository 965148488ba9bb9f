import { randomBytes, randomUUID } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { describeEventStoreContract } from '../../testing/contract-suite.ts';
import { InMemoryEsdbLog } from '../../testing/in-memory-esdb-log.ts';
import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store.ts';
import { CustomerKeys } from './customer-keys.ts';
import { migrateCustomerKeys } from './customer-keys-schema.ts';
import { masterKeyOf } from './master-key.ts';
import { createSealingEventStore } from './sealing-event-store.ts';

// The EventStoreDB adapter with personal data sealed, its keys in a real
// PostgreSQL (where they live whichever store holds the log). The log is the
// in-memory one that behaves as EventStoreDB does, because no EventStoreDB
// server runs here; eventstoredb-event-store.int.test.ts runs the same with
// sealing on a real server where there is one.
describeEventStoreContract(
  'eventstoredb over an in-memory log (no server here), personal data sealed',
  async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 4 });
    await migrateCustomerKeys(pool);
    const keys = new CustomerKeys(pool, { master: masterKeyOf(randomBytes(32)) });
    const store = EventStoreDbEventStore.overLog(new InMemoryEsdbLog(), {
      streamPrefix: `t${randomUUID().slice(0, 8)}-`,
    });
    return {
      store: createSealingEventStore(store, keys),
      cleanup: async () => {
        await pool.end();
        await database.drop();
      },
    };
  },
);
