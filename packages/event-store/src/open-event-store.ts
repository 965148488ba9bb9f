import type { Pool } from 'pg';
import type { EventStore } from './port.ts';
import { createPostgresEventStore } from './postgres/postgres-event-store.ts';

/**
 * The one place an event store adapter is chosen (EVENT_STORE). The
 * EventStoreDB client (gRPC) is loaded only when it is the one asked for.
 */
export async function openEventStore(options: {
  kind: 'postgres' | 'eventstoredb';
  /** PostgreSQL: the log's database (the read models' one too). */
  pool: Pool;
  /** EventStoreDB / KurrentDB: esdb://host:2113?tls=false */
  esdbUrl?: string | undefined;
}): Promise<EventStore> {
  if (options.kind === 'postgres') return createPostgresEventStore({ pool: options.pool });
  if (!options.esdbUrl) {
    throw new Error('EVENT_STORE=eventstoredb needs ESDB_URL (e.g. esdb://localhost:2113?tls=false)');
  }
  const { createEventStoreDbEventStore } = await import('./eventstoredb/index.ts');
  return createEventStoreDbEventStore({ connectionString: options.esdbUrl });
}
