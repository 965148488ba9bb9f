import type { Pool } from 'pg';
import { CustomerKeys, type CustomerKeysOptions } from './encryption/customer-keys.ts';
import { createSealingEventStore } from './encryption/sealing-event-store.ts';
import type { EventStore } from './port.ts';
import { createPostgresEventStore } from './postgres/postgres-event-store.ts';

/**
 * The one place an event store adapter is chosen (EVENT_STORE). The
 * EventStoreDB client (gRPC) is loaded only when it is the one asked for.
 * With `sealing`, customers' personal fields are sealed with their keys on
 * the way in and opened on the way out (docs/erasure.md); the keys live in
 * `pool`'s database whichever adapter holds the log.
 */
export async function openEventStore(options: {
  kind: 'postgres' | 'eventstoredb';
  /** PostgreSQL: the log's database (the read models' one too). */
  pool: Pool;
  /** EventStoreDB / KurrentDB: esdb://host:2113?tls=false */
  esdbUrl?: string | undefined;
  /** The customers' keys, or the options to open them with in `pool`. */
  sealing?: CustomerKeys | CustomerKeysOptions | undefined;
}): Promise<EventStore> {
  const store = await openAdapter(options);
  if (!options.sealing) return store;
  const keys =
    options.sealing instanceof CustomerKeys
      ? options.sealing
      : new CustomerKeys(options.pool, options.sealing);
  return createSealingEventStore(store, keys);
}

async function openAdapter(options: {
  kind: 'postgres' | 'eventstoredb';
  pool: Pool;
  esdbUrl?: string | undefined;
}): Promise<EventStore> {
  if (options.kind === 'postgres') return createPostgresEventStore({ pool: options.pool });
  if (!options.esdbUrl) {
    throw new Error('EVENT_STORE=eventstoredb needs ESDB_URL (e.g. esdb://localhost:2113?tls=false)');
  }
  const { createEventStoreDbEventStore } = await import('./eventstoredb/index.ts');
  return createEventStoreDbEventStore({ connectionString: options.esdbUrl });
}
