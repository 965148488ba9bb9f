import { randomBytes, randomUUID } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendEvent, EventStore } from '../port.ts';
import { createPostgresEventStore } from '../postgres/postgres-event-store.ts';
import { eraseCustomer } from './customer-erasure.ts';
import { CustomerKeys } from './customer-keys.ts';
import { migrateCustomerKeys } from './customer-keys-schema.ts';
import { encryptExistingEvents } from './encrypt-existing.ts';
import { SEALED_METADATA_KEY } from './event-sealing.ts';
import { masterKeyOf } from './master-key.ts';
import { createSealingEventStore } from './sealing-event-store.ts';

// A log written by the versions before sealing (plaintext) and by the first
// sealing release (sealed, no format mark), read by this one, converted in
// place while appends go on, resumably; afterwards no plaintext is left.
describe('a log written before sealing, then crh encrypt-existing', () => {
  let database: TestDatabase;
  let pool: Pool;
  let raw: EventStore;
  let keys: CustomerKeys;
  let store: EventStore;
  const tag = randomBytes(4).toString('hex');
  const marks = {
    anna: `Annabel-${tag}`,
    bert: `Bertram-${tag}`,
    carla: `Carolien-${tag}`,
    dirk: `Dirkje-${tag}`,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 6 });
    raw = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    await raw.migrate();
    await migrateCustomerKeys(pool);
    keys = new CustomerKeys(pool, { master: masterKeyOf(randomBytes(32)) });
    store = createSealingEventStore(raw, keys);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const contact = (customerId: string, summary: string, metadata?: Record<string, unknown>): AppendEvent => ({
    id: randomUUID(),
    type: 'ContactLogged',
    customerId,
    occurredAt: '2026-03-01T10:00:00.000Z',
    data: { channel: 'call', direction: 'inbound', summary },
    ...(metadata ? { metadata } : {}),
  });
  const opened = async (customerId: string) =>
    (await store.readStream(customerId)).map((e) => [e.data, e.metadata, e.erased ?? false]);
  const plaintextLeft = async (...words: string[]) => {
    const { rows } = await pool.query<{ row: string }>(
      'select data::text || coalesce(metadata::text, $1) as row from crh.events',
      [''],
    );
    return words.filter((word) => rows.some((r) => r.row.includes(word)));
  };

  it('reads every stored version, converts them while appends go on, resumes where it stopped, and leaves no plaintext', async () => {
    // Version 1, as the previous versions stored it: plaintext.
    const legacy = [
      contact('anna', `${marks.anna} asked about the invoice`, { operator: marks.anna }),
      contact('bert', `${marks.bert} complained`),
      contact('dirk', `enc:v1:${marks.dirk} is plaintext that looks sealed`),
      ...Array.from({ length: 6 }, (_, i) => contact(`many-${i}`, `${marks.anna} ${i}`)),
    ];
    await raw.append(legacy);
    // Dirk has a key (a later event was sealed): his lookalike is told from a sealed value by the key.
    await keys.forSealing(['dirk']);
    // Version 1 as the first sealing release stored it: sealed, no mark.
    const sealedBefore = contact('carla', `${marks.carla} called back`, { crm: marks.carla });
    const carlaCipher = (await keys.forSealing(['carla'])).get('carla')!;
    const sentData = sealedBefore.data as { channel: string; direction: string; summary: string };
    await raw.append([
      {
        ...sealedBefore,
        data: { ...sentData, summary: carlaCipher.seal(sentData.summary, sealedBefore.id, 'summary') },
        metadata: {
          [SEALED_METADATA_KEY]: carlaCipher.seal(sealedBefore.metadata, sealedBefore.id, '$metadata'),
        },
      },
    ]);

    // Read as they were sent.
    expect(await opened('anna')).toEqual([[legacy[0]!.data, legacy[0]!.metadata, false]]);
    expect(await opened('carla')).toEqual([[sealedBefore.data, sealedBefore.metadata, false]]);

    // Erasing Bert nulls his plaintext in place at once.
    await eraseCustomer(store, keys, pool, { customerId: 'bert', requestedBy: 'test' });
    expect(await plaintextLeft(marks.bert)).toEqual([]);
    expect(await opened('bert')).toEqual([
      [{ channel: 'call', direction: 'inbound', summary: null }, null, true],
      [{}, null, false],
    ]);

    // A run stopped after its first batch keeps its progress.
    const stop = new AbortController();
    const first = await encryptExistingEvents(pool, keys, {
      batchSize: 3,
      signal: stop.signal,
      onBatch: () => stop.abort(),
    });
    expect(first.sealed).toBe(3);
    expect(await plaintextLeft(marks.anna)).not.toEqual([]);

    // Appends go on meanwhile (in the sealed format); the next run resumes and finishes.
    await store.append([contact('anna', `${marks.anna} again`)]);
    const second = await encryptExistingEvents(pool, keys, { batchSize: 3 });
    expect(first.sealed + second.sealed).toBe(legacy.length - 1 + 1); // Bert's was nulled by the erasure; Carla's marked
    expect(Number(second.afterPosition)).toBeGreaterThan(Number(first.afterPosition));
    expect(await plaintextLeft(marks.anna, marks.bert, marks.carla, marks.dirk)).toEqual([]);
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from crh.events where not coalesce(metadata ? '$crh', false) and data ? 'summary'`,
    );
    expect(rows[0]!.n).toBe(0);

    // Read the same as before, and a client's retry of an old event is still a duplicate.
    expect((await opened('anna'))[0]).toEqual([legacy[0]!.data, legacy[0]!.metadata, false]);
    expect(await opened('carla')).toEqual([[sealedBefore.data, sealedBefore.metadata, false]]);
    expect(await opened('dirk')).toEqual([[legacy[2]!.data, null, false]]);
    expect((await store.append([legacy[0]!, sealedBefore])).map((o) => o.status)).toEqual([
      'duplicate',
      'duplicate',
    ]);

    // Nothing is left to do.
    expect((await encryptExistingEvents(pool, keys)).sealed).toBe(0);
  });
});
