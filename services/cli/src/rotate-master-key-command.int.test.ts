import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomerKeys, loadMasterKey, migrateCustomerKeys } from '@crh/event-store/encryption';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, type TestDatabase } from '@crh/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const EVENT = '7a0b3c1e-2f4d-4e5a-9b6c-1d2e3f4a5b6c';

describe('crh rotate-master-key as a process', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 2 });
    await migrateCustomerKeys(pool);
    dir = mkdtempSync(join(tmpdir(), 'crh-rotate-'));
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const keyFile = (name: string) => {
    const file = join(dir, name);
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    return file;
  };
  const crh = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [main, 'rotate-master-key'], {
      cwd: dir, // no .env of the repository changes the configuration
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, CRH_DATA_DIR: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return new Promise<{ code: number | null; out: string }>((resolve) =>
      child.once('close', (code) => resolve({ code, out })),
    );
  };

  it('re-wraps every data key under the new master key; the sealed values open with it alone, and a second run re-wraps none', async () => {
    const [oldFile, newFile] = [keyFile('old.key'), keyFile('new.key')];
    const [oldMaster, newMaster] = [
      await loadMasterKey({ file: oldFile, dataDir: dir }),
      await loadMasterKey({ file: newFile, dataDir: dir }),
    ];
    const ciphers = await new CustomerKeys(pool, { master: oldMaster }).forSealing(['r-1', 'r-2', 'r-3']);
    const sealed = ciphers.get('r-2')!.seal('Marieke, about the contract', EVENT, 'summary');
    await new CustomerKeys(pool, { master: oldMaster }).erase('r-3');

    // Without the old key the stored keys cannot be opened: the command says so and changes nothing.
    const refused = await crh({ CRH_MASTER_KEY_FILE: newFile });
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/wrapped by master key/);
    const recorded = await pool.query('select master_key_id from crh.customer_keys_master');
    expect(recorded.rows[0].master_key_id).toBe(oldMaster.id); // not switched

    const first = await crh({ CRH_MASTER_KEY_FILE: newFile, CRH_PREVIOUS_MASTER_KEY_FILES: oldFile });
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(
      new RegExp(`2 data key\\(s\\) re-wrapped; all 2 now under master key ${newMaster.id}`),
    );
    const opened = await new CustomerKeys(pool, { master: newMaster }).forOpening(['r-2', 'r-3']);
    expect(opened.get('r-2')!.open(sealed, EVENT, 'summary')).toBe('Marieke, about the contract');
    expect(opened.get('r-3')).toBeNull(); // erased stays erased
    await expect(new CustomerKeys(pool, { master: oldMaster }).forOpening(['r-1'])).rejects.toThrow(
      /master key/,
    );

    const again = await crh({ CRH_MASTER_KEY_FILE: newFile });
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/0 data key\(s\) re-wrapped/);
  });
});
