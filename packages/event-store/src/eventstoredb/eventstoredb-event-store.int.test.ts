import { randomBytes } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { containerRuntimeAvailable, createTestDatabase, KURRENTDB_IMAGE } from '@crh/testing';
import { describe } from 'vitest';
import { describeEventStoreContract, type EventStoreFactory } from '../../testing/contract-suite.ts';
import { CustomerKeys } from '../encryption/customer-keys.ts';
import { migrateCustomerKeys } from '../encryption/customer-keys-schema.ts';
import { masterKeyOf } from '../encryption/master-key.ts';
import { createSealingEventStore } from '../encryption/sealing-event-store.ts';
import { createEventStoreDbEventStore } from './eventstoredb-event-store.ts';

interface EsdbServer {
  connectionString: string;
  description: string;
  stop(): Promise<void>;
}

/** ESDB_URL if set, else a Testcontainers KurrentDB where a container runtime answers, else none. */
async function pickEsdbServer(): Promise<EsdbServer | null> {
  const url = process.env.ESDB_URL;
  if (url) {
    return { connectionString: url, description: `ESDB_URL server ${hostOf(url)}`, stop: async () => {} };
  }
  if (!(await containerRuntimeAvailable())) return null;
  const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
  // Started here, not in beforeAll: pulling the image may take longer than a hook may.
  const container = await new KurrentDbContainer(KURRENTDB_IMAGE).start();
  return {
    connectionString: container.getConnectionString(),
    description: `Testcontainers ${KURRENTDB_IMAGE} on ${container.getHost()}:${container.getFirstMappedPort()}`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** host:port only: never print credentials. */
function hostOf(url: string): string {
  return /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(url)?.[1] ?? '(unparsable URL)';
}

const server = await pickEsdbServer();

if (server === null) {
  console.log('[crh tests] EventStoreDB contract suite not run: no ESDB_URL and no container runtime');
  const never: EventStoreFactory = () => Promise.reject(new Error('skipped'));
  describe.skip('EventStoreDB (no server)', () => describeEventStoreContract('eventstoredb', never));
} else {
  console.log(`[crh tests] EventStoreDB: ${server.description}`);
  // One store per factory call, in a namespace of its own: the suite expects
  // an empty log, and the server may hold other runs' and files' events.
  describeEventStoreContract('eventstoredb', async () => ({
    store: createEventStoreDbEventStore({
      connectionString: server.connectionString,
      streamPrefix: `test${randomBytes(5).toString('hex')}-customer-`,
      batchLingerMs: 2,
    }),
    cleanup: () => server.stop(),
  }));
  // Personal data sealed, its keys in PostgreSQL (docs/erasure.md).
  describeEventStoreContract('eventstoredb, personal data sealed', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 4 });
    await migrateCustomerKeys(pool);
    const keys = new CustomerKeys(pool, { master: masterKeyOf(randomBytes(32)) });
    const store = createEventStoreDbEventStore({
      connectionString: server.connectionString,
      streamPrefix: `test${randomBytes(5).toString('hex')}-customer-`,
      batchLingerMs: 2,
    });
    return {
      store: createSealingEventStore(store, keys),
      cleanup: async () => {
        await pool.end();
        await database.drop();
      },
    };
  });
}
