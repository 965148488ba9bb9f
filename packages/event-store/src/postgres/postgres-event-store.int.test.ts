import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { describe, expect, it } from 'vitest';
import { newEvent, uniqueCustomer } from '../../testing/contract-fixtures.ts';
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

// Ids are unique across the whole PostgreSQL log (EventStoreDB only within a stream).
describe('postgres: one id, one event across customers', () => {
  it('refuses an id stored for another customer, and a concurrent re-send of other content', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 4, applicationName: 'crh-event-store-test' });
    const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    try {
      await store.migrate();
      const [a, b] = [uniqueCustomer('a'), uniqueCustomer('b')];
      const event = newEvent(a);
      await store.append([event]);
      await expect(store.append([newEvent(b), { ...event, customerId: b }])).rejects.toMatchObject({
        name: 'IdConflictError',
        ids: [event.id],
      });
      expect(await store.readStream(b)).toEqual([]);
      // Two writers racing with one new id and different content: one wins,
      // the other is refused, however their statements interleave. Many
      // races, since the window that once let both through (the other's
      // commit between two of the append's statements) was 2 races in 400.
      for (let race = 0; race < 200; race++) {
        const raced = newEvent(a);
        const results = await Promise.allSettled([
          store.append([raced]),
          store.append([{ ...raced, data: { channel: 'email', direction: 'inbound' } }]),
        ]);
        expect(results.map((r) => r.status).sort(), `race ${race}`).toEqual(['fulfilled', 'rejected']);
        expect(results.find((r) => r.status === 'rejected')).toMatchObject({
          reason: { name: 'IdConflictError', ids: [raced.id] },
        });
      }
    } finally {
      await store.close();
      await pool.end();
      await database.drop();
    }
  });
});
