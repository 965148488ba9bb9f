import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CustomerKeys,
  createSealingEventStore,
  loadMasterKey,
  migrateCustomerKeys,
} from '@crh/event-store/encryption';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrh } from '../testing/run-crh.ts';

describe('crh forget as a process', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 2 });
    await createPostgresEventStore({ pool }).migrate();
    await migrateCustomerKeys(pool);
    dir = mkdtempSync(join(tmpdir(), 'crh-forget-'));
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const crh = (...args: string[]) =>
    // In an empty directory: no .env of the repository changes the configuration.
    runCrh(['forget', ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, CRH_DATA_DIR: dir, LOG_LEVEL: 'warn' },
    });

  it("destroys the customer's key, records the erasure once, and writes who and why to the audit trail", async () => {
    // Events sealed with the platform's master key (the one under CRH_DATA_DIR).
    const keys = new CustomerKeys(pool, { master: await loadMasterKey({ dataDir: dir }) });
    const store = createSealingEventStore(createPostgresEventStore({ pool }), keys);
    const marker = `Geertruida-${randomBytes(4).toString('hex')}`;
    await store.append([
      {
        id: randomUUID(),
        type: 'ContactLogged',
        customerId: 'f-1',
        occurredAt: '2026-03-01T10:00:00.000Z',
        data: { channel: 'call', direction: 'inbound', summary: `${marker} called` },
      },
    ]);

    const first = await crh('f-1', '--reason', 'DSR-88', '--by', 'dpo@example.org');
    expect(first.code, first.err).toBe(0);
    const answer = JSON.parse(first.out) as { customerId: string; erasedAt: string; position: string };
    expect(answer).toEqual({ customerId: 'f-1', erasedAt: expect.any(String), position: expect.any(String) });
    expect(first.err).toContain('customer f-1: personal data erased');
    const again = await crh('f-1');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toEqual(answer);
    expect(again.err).toContain('erased before');

    keys.evict(['f-1']); // this process's cache, as another process's would be told
    const stream = await store.readStream('f-1');
    expect(stream.map((e) => [e.type, e.data, e.erased ?? false])).toEqual([
      ['ContactLogged', { channel: 'call', direction: 'inbound', summary: null }, true],
      ['CustomerDataErased', {}, false],
    ]);
    const { rows } = await pool.query<{ requested_by: string; reason: string | null; first: boolean }>(
      `select requested_by, reason, first from crh.customer_erasures where customer_id = 'f-1' order by id`,
    );
    expect(rows).toEqual([
      { requested_by: 'dpo@example.org', reason: 'DSR-88', first: true },
      { requested_by: expect.stringMatching(/^cli:/), reason: null, first: false },
    ]);

    // A customer the log does not know: nothing to erase, nothing recorded, exit code 1.
    const unknown = await crh('nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('customer nobody has no events');
    expect((await pool.query(`select 1 from crh.customer_keys where customer_id = 'nobody'`)).rowCount).toBe(
      0,
    );
  });
});
