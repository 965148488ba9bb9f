import { randomBytes } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerErasedError, CustomerKeys, MasterKeyMismatchError } from './customer-keys.ts';
import { migrateCustomerKeys } from './customer-keys-schema.ts';
import { masterKeyOf } from './master-key.ts';

const EVENT = '7a0b3c1e-2f4d-4e5a-9b6c-1d2e3f4a5b6c';
const newMaster = () => masterKeyOf(randomBytes(32));

describe('customer data keys in PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  const master = newMaster();

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 8 });
    await migrateCustomerKeys(pool);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const wrappedOf = async (customerId: string) =>
    (
      await pool.query(
        'select wrapped, master_key_id, erased_at from crh.customer_keys where customer_id = $1',
        [customerId],
      )
    ).rows[0];

  it('creates one key per customer, however many processes ask at once, and stores it only wrapped', async () => {
    const processes = Array.from({ length: 6 }, () => new CustomerKeys(pool, { master }));
    const ciphers = await Promise.all(processes.map((keys) => keys.forSealing(['k-1', 'k-2'])));
    const sealed = ciphers[0]!.get('k-1')!.seal('Anna', EVENT, 'name');
    for (const c of ciphers) expect(c.get('k-1')!.open(sealed, EVENT, 'name')).toBe('Anna');
    const { rows } = await pool.query(
      `select count(*)::int as n from crh.customer_keys where customer_id in ('k-1', 'k-2')`,
    );
    expect(rows[0].n).toBe(2);
    const row = await wrappedOf('k-1');
    expect(row.wrapped).toHaveLength(12 + 32 + 16);
    expect(row.master_key_id).toBe(master.id);
    // A process with another master key is stopped before it opens or makes a key.
    const stranger = new CustomerKeys(pool, { master: newMaster() });
    await expect(stranger.forOpening(['k-1'])).rejects.toBeInstanceOf(MasterKeyMismatchError);
    await expect(stranger.forSealing(['k-new'])).rejects.toThrow(
      /wrapped by master key .*, and this process has/,
    );
    expect(await wrappedOf('k-new')).toBeUndefined();
  });

  it('creates keys for the same new customers asked in opposite orders at once, without a deadlock', async () => {
    const [one, two] = [new CustomerKeys(pool, { master }), new CustomerKeys(pool, { master })];
    await Promise.all([one.verifyMaster(), two.verifyMaster()]);
    for (let round = 0; round < 5; round++) {
      const ids = Array.from({ length: 3_000 }, (_, i) => `order-${round}-${i}`);
      const [a, b] = await Promise.all([one.forSealing(ids), two.forSealing([...ids].reverse())]);
      expect(a.size).toBe(3_000);
      expect(b.size).toBe(3_000);
    }
  });

  it('gives no key to open with for a customer that never had one, and does not create one for reading', async () => {
    const opened = await new CustomerKeys(pool, { master }).forOpening(['k-never']);
    expect(opened.has('k-never')).toBe(false); // no key, and no erasure either
    expect(await wrappedOf('k-never')).toBeUndefined();
  });

  it('erases a key for good: its values open no more, no new key is made, and erasing again is harmless', async () => {
    const keys = new CustomerKeys(pool, { master });
    const elsewhere = new CustomerKeys(pool, { master }); // another process, its cache cold
    const sealed = (await keys.forSealing(['k-3'])).get('k-3')!.seal('Jan', EVENT, 'name');
    const first = await keys.erase('k-3');
    expect(first.first).toBe(true);
    const row = await wrappedOf('k-3');
    expect(row.wrapped).toBeNull();
    expect(row.erased_at).not.toBeNull();
    expect((await elsewhere.forOpening(['k-3'])).get('k-3')).toBeNull();
    expect((await keys.forOpening(['k-3'])).get('k-3')).toBeNull();
    await expect(elsewhere.forSealing(['k-3', 'k-4'])).rejects.toEqual(new CustomerErasedError(['k-3']));
    expect((await wrappedOf('k-3')).wrapped).toBeNull();
    const again = await keys.erase('k-3');
    expect(again).toEqual({ erasedAt: first.erasedAt, first: false });
    // The sealed value stays sealed: nothing here opens it.
    expect(sealed).not.toMatch(/Jan/);
  });

  it('refuses new personal data for a customer another process erased, though this one still caches its key', async () => {
    const ingest = new CustomerKeys(pool, { master });
    await ingest.forSealing(['k-7']); // cached here for the TTL
    await new CustomerKeys(pool, { master }).erase('k-7');
    await expect(ingest.forSealing(['k-7'])).rejects.toEqual(new CustomerErasedError(['k-7']));
  });

  it('answers two erasures at once, of a customer with or without a key, with one first erasure and one time', async () => {
    await new CustomerKeys(pool, { master }).forSealing(['k-8']);
    for (const id of ['k-8', 'k-9']) {
      const both = await Promise.all([
        new CustomerKeys(pool, { master }).erase(id),
        new CustomerKeys(pool, { master }).erase(id),
      ]);
      expect(both.map((e) => e.first).sort()).toEqual([false, true]);
      expect(both[0]!.erasedAt).toBe(both[1]!.erasedAt);
      expect(both[0]!.erasedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
  });

  it('erases a customer that never had a key, so none is made later', async () => {
    const keys = new CustomerKeys(pool, { master });
    expect((await keys.erase('k-5')).first).toBe(true);
    await expect(keys.forSealing(['k-5'])).rejects.toBeInstanceOf(CustomerErasedError);
  });

  it('never creates a key for a customer erased while the key was being created', async () => {
    for (let i = 0; i < 20; i++) {
      const id = `race-${i}`;
      const [sealing, erasing] = await Promise.allSettled([
        new CustomerKeys(pool, { master }).forSealing([id]),
        new CustomerKeys(pool, { master }).erase(id),
      ]);
      expect(erasing.status).toBe('fulfilled');
      expect((await wrappedOf(id)).wrapped).toBeNull();
      if (sealing.status === 'rejected') expect(sealing.reason).toBeInstanceOf(CustomerErasedError);
    }
  });

  it('re-wraps every data key under a new master key without changing what they open', async () => {
    const keys = new CustomerKeys(pool, { master });
    const sealed = (await keys.forSealing(['k-6'])).get('k-6')!.seal('Piet', EVENT, 'name');
    const next = newMaster();
    const rotating = new CustomerKeys(pool, { master: next, previous: [master] });
    expect(await rotating.rewrapAll(2)).toBeGreaterThanOrEqual(3);
    const { rows } = await pool.query(
      'select count(*)::int as n from crh.customer_keys where wrapped is not null and master_key_id <> $1',
      [next.id],
    );
    expect(rows[0].n).toBe(0);
    expect(await rotating.rewrapAll()).toBe(0);
    // The new master alone opens them; the old one no longer does.
    const opened = await new CustomerKeys(pool, { master: next }).forOpening(['k-6']);
    expect(opened.get('k-6')!.open(sealed, EVENT, 'name')).toBe('Piet');
    await expect(new CustomerKeys(pool, { master }).forOpening(['k-6'])).rejects.toThrow(/master key/);
  });
});

describe('customer data keys across a master-key rotation', () => {
  it('wraps new keys by the database master until the switch, then by the new one; a process with only the old key stops', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 6 });
    try {
      await migrateCustomerKeys(pool);
      const [old, next] = [newMaster(), newMaster()];
      const stale = new CustomerKeys(pool, { master: old }); // a process never restarted
      await stale.forSealing(['r-1']);
      // Restarted with the new key and the old one: new keys still under the recorded (old) master,
      // so processes not yet restarted open them.
      const restarted = new CustomerKeys(pool, { master: next, previous: [old] });
      await restarted.forSealing(['r-2']);
      const masterOf = async (id: string) =>
        (await pool.query('select master_key_id from crh.customer_keys where customer_id = $1', [id])).rows[0]
          ?.master_key_id;
      expect(await masterOf('r-2')).toBe(old.id);
      expect((await stale.forOpening(['r-2'])).get('r-2')).toBeDefined();

      expect(await new CustomerKeys(pool, { master: next, previous: [old] }).rewrapAll()).toBe(2);
      // After the switch: the restarted process learns it at its next new key ...
      await restarted.forSealing(['r-3']);
      expect(await masterOf('r-3')).toBe(next.id);
      // ... and the stale one, whose check passed long ago, cannot wrap one by the old key any more.
      await expect(stale.forSealing(['r-4'])).rejects.toBeInstanceOf(MasterKeyMismatchError);
      expect(await masterOf('r-4')).toBeUndefined();
      const { rows } = await pool.query<{ n: number }>(
        'select count(*)::int as n from crh.customer_keys where master_key_id <> $1',
        [next.id],
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
