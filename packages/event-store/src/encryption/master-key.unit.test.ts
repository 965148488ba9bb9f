import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultMasterKeyFile,
  loadMasterKey,
  masterKeyOf,
  unwrapDataKey,
  wrapDataKey,
} from './master-key.ts';

describe('the master key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crh-master-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created under the data directory on first start, readable by its owner only, and the same afterwards', async () => {
    const [a, b] = await Promise.all([loadMasterKey({ dataDir: dir }), loadMasterKey({ dataDir: dir })]);
    expect(a.key.equals(b.key)).toBe(true);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect((await stat(defaultMasterKeyFile(dir))).mode & 0o777).toBe(0o600);
    expect((await loadMasterKey({ dataDir: dir })).id).toBe(a.id);
  });

  it('is read from CRH_MASTER_KEY_FILE, which must exist and hold base64 of 32 bytes', async () => {
    const file = join(dir, 'given.key');
    const key = randomBytes(32);
    await writeFile(file, `${key.toString('base64')}\n`);
    await chmod(file, 0o644);
    const loaded = await loadMasterKey({ file, dataDir: dir });
    expect(loaded.key.equals(key)).toBe(true);
    expect((await stat(file)).mode & 0o077).toBe(0); // tightened
    await expect(loadMasterKey({ file: join(dir, 'missing.key'), dataDir: dir })).rejects.toThrow(
      /cannot be read/,
    );
    await writeFile(file, randomBytes(16).toString('base64'));
    await expect(loadMasterKey({ file, dataDir: dir })).rejects.toThrow(/base64 of 32 bytes/);
    expect(await readFile(file, 'utf8')).not.toBe('');
  });

  it('wraps a data key for one customer: another customer or master key does not unwrap it', () => {
    const master = masterKeyOf(randomBytes(32));
    const dataKey = randomBytes(32);
    const wrapped = wrapDataKey(master, 'c-1', dataKey);
    expect(unwrapDataKey(master, 'c-1', wrapped).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(master, 'c-2', wrapped)).toThrow(/does not open/);
    expect(() => unwrapDataKey(masterKeyOf(randomBytes(32)), 'c-1', wrapped)).toThrow(/does not open/);
  });
});
