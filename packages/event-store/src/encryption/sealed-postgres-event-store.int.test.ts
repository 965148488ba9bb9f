import { randomBytes } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { describe, expect, it } from 'vitest';
import { newEvent, uniqueCustomer } from '../../testing/contract-fixtures.ts';
import { describeEventStoreContract } from '../../testing/contract-suite.ts';
import { createPostgresEventStore } from '../postgres/postgres-event-store.ts';
import { eraseCustomer } from './customer-erasure.ts';
import { CustomerErasedError, CustomerKeys } from './customer-keys.ts';
import { migrateCustomerKeys } from './customer-keys-schema.ts';
import { masterKeyOf } from './master-key.ts';
import { createSealingEventStore } from './sealing-event-store.ts';

const sealedStore = async () => {
  const database = await createTestDatabase();
  const pool = createPgPool(database.url, { max: 12, applicationName: 'crh-event-store-test' });
  const keys = new CustomerKeys(pool, { master: masterKeyOf(randomBytes(32)) });
  await migrateCustomerKeys(pool);
  const store = createSealingEventStore(createPostgresEventStore({ pool, pollIntervalMs: 50 }), keys);
  return {
    store,
    pool,
    keys,
    cleanup: async () => {
      await pool.end();
      await database.drop();
    },
  };
};

const replayText = async (chunks: AsyncIterable<string>) => {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
};

describeEventStoreContract('postgres, personal data sealed', sealedStore);

describe('postgres, personal data sealed', () => {
  it("replays an erased customer's plaintext stored before sealing as erased, and metadata holding `$&` as it was", async () => {
    const { store, pool, keys, cleanup } = await sealedStore();
    const plain = createPostgresEventStore({ pool }); // the version before sealing
    try {
      await store.migrate();
      const [old, other] = [uniqueCustomer('old'), uniqueCustomer('other')];
      const before = newEvent(old, {
        data: { channel: 'call', direction: 'inbound', summary: 'Marijke, before' },
      });
      await plain.append([before]);
      const dollars = newEvent(other, { metadata: { note: "a $' b $& c $1 $$ d $`" } });
      await store.append([dollars]);
      await keys.erase(old); // the key only: the plaintext is still in the log
      const lines = (await replayText(store.replay({})))
        .trim()
        .split('\n')
        .map(
          (line) => JSON.parse(line) as { id: string; data: unknown; metadata?: unknown; erased?: boolean },
        );
      expect(lines.find((l) => l.id === before.id)).toMatchObject({
        data: { channel: 'call', direction: 'inbound', summary: null },
        erased: true,
      });
      expect(lines.find((l) => l.id === dollars.id)?.metadata).toEqual(dollars.metadata);
      // Nulling stored plaintext is for erased customers only.
      await expect(pool.query('select crh.erase_stored_plaintext($1)', [other])).rejects.toThrow(
        /not erased/,
      );
      expect(await store.eraseStoredPlaintext!(old)).toBe(1);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('reads the rest of a replay under way erased once the customer is erased, and its start as it was', async () => {
    const { store, pool, keys, cleanup } = await sealedStore();
    try {
      await store.migrate();
      const customer = uniqueCustomer('mid-replay');
      const marker = `Zeeland-${randomBytes(5).toString('hex')}`;
      const said = (n: number) => ({ channel: 'call', direction: 'inbound', summary: `${marker} ${n}` });
      // The customer's first and last events, 6,000 others between: three pages of the replay at least.
      await store.append([newEvent(customer, { data: said(0) })]);
      for (let i = 0; i < 6; i++) {
        await store.append(Array.from({ length: 1_000 }, () => newEvent(uniqueCustomer('other'))));
      }
      await store.append([newEvent(customer, { data: said(1) })]);
      const replay = store.replay({})[Symbol.asyncIterator]();
      const start = await replay.next();
      expect(start.value).toContain(`${marker} 0`);
      await eraseCustomer(store, keys, pool, { customerId: customer, requestedBy: 'test' });
      let rest = '';
      for (let chunk = await replay.next(); !chunk.done; chunk = await replay.next()) rest += chunk.value;
      expect(rest).not.toContain(marker);
      const last = rest
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { customerId: string })
        .filter((e) => e.customerId === customer);
      expect(last).toEqual([expect.objectContaining({ data: { ...said(1), summary: null }, erased: true })]);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('answers a retry of an event stored before sealing as a duplicate, and other content as a conflict', async () => {
    const { store, pool, cleanup } = await sealedStore();
    const plain = createPostgresEventStore({ pool }); // the version before sealing
    try {
      await store.migrate();
      const customer = uniqueCustomer('before');
      const old = newEvent(customer, { metadata: { source: 'crm' } });
      await plain.append([old]);
      const fresh = newEvent(customer);
      const outcomes = await store.append([old, fresh]);
      expect(outcomes.map((o) => o.status)).toEqual(['duplicate', 'recorded']);
      await expect(
        store.append([{ ...old, data: { channel: 'call', direction: 'outbound', summary: 'other' } }]),
      ).rejects.toMatchObject({ name: 'IdConflictError', ids: [old.id] });
      expect((await store.readStream(customer)).map((e) => e.id)).toEqual([old.id, fresh.id]);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('stores no personal value in the clear, reads every one back, and reads an erased customer as erased', async () => {
    const { store, pool, keys, cleanup } = await sealedStore();
    try {
      await store.migrate();
      const [anna, jan] = [uniqueCustomer('anna'), uniqueCustomer('jan')];
      const marker = `Anna-${randomBytes(6).toString('hex')}`;
      const events = [
        newEvent(anna, {
          data: { channel: 'call', direction: 'inbound', summary: `${marker} asked for a discount` },
        }),
        newEvent(anna, { metadata: { operator: `${marker}-operator` } }),
        newEvent(jan, { data: { channel: 'email', direction: 'outbound', summary: 'Jan: the usual' } }),
      ];
      await store.append(events);
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from crh.events where data::text like $1 or metadata::text like $1`,
        [`%${marker}%`],
      );
      expect(rows[0]!.n).toBe(0);
      expect((await store.readStream(anna)).map((e) => [e.data, e.metadata])).toEqual([
        [events[0]!.data, null],
        [events[1]!.data, events[1]!.metadata],
      ]);
      const replayed = await replayText(store.replay({}));
      expect(replayed).toContain(`${marker} asked for a discount`);
      expect(replayed).not.toContain('enc:v1:');

      await keys.erase(anna);
      const erased = await store.readStream(anna);
      expect(
        erased.map((e) => [(e.data as { summary: unknown }).summary, e.metadata, 'erased' in e]),
      ).toEqual([
        [null, null, true],
        [null, null, true],
      ]);
      expect((await store.readStream(jan))[0]!.data).toEqual(events[2]!.data);
      expect(await replayText(store.replay({}))).not.toContain(marker);
      // New personal data for the erased customer is refused; an event without any is taken.
      await expect(store.append([newEvent(anna)])).rejects.toBeInstanceOf(CustomerErasedError);
      await store.append([newEvent(anna, { data: { channel: 'call', direction: 'outbound' } })]);
      expect(await store.readStream(anna)).toHaveLength(3);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
