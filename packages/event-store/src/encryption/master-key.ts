import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The key that wraps every customer's data key. It never opens an event
 * itself: events are sealed with the customers' keys, and those are stored
 * wrapped by this one, in their own table (crh.customer_keys), so a copy of
 * the database without this file holds nothing readable.
 */
export interface MasterKey {
  /** Names the key without revealing it (the first 8 bytes of its SHA-256, hex): which master wrapped a data key. */
  id: string;
  key: Buffer;
}

export const MASTER_KEY_BYTES = 32;

export function masterKeyOf(key: Buffer): MasterKey {
  if (key.length !== MASTER_KEY_BYTES) throw new Error(`a master key is ${MASTER_KEY_BYTES} bytes`);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** Where the platform keeps a master key it created: `<CRH_DATA_DIR>/keys/master.key`. */
export const defaultMasterKeyFile = (dataDir: string) => join(dataDir, 'keys', 'master.key');

/**
 * The master key from `file` (CRH_MASTER_KEY_FILE: base64 of 32 bytes, as
 * `openssl rand -base64 32` writes it), which must exist; without one, the
 * key under the data directory, created there (mode 0600) on first start.
 * Two processes starting at once agree: the file is created exclusively,
 * and the one that finds it there reads it.
 */
export async function loadMasterKey(options: {
  file?: string | undefined;
  dataDir: string;
}): Promise<MasterKey> {
  if (options.file) return readMasterKey(options.file);
  const file = defaultMasterKeyFile(options.dataDir);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a name of its own, then linked into place: a process
  // that starts at the same moment finds either no file or the whole key,
  // never a half-written one, and of two new keys only one is linked.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, {
    flag: 'wx',
    mode: 0o600,
  });
  try {
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(draft);
  }
  return readMasterKey(file);
}

async function readMasterKey(file: string): Promise<MasterKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`the master key file ${file} cannot be read: ${(error as Error).message}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== MASTER_KEY_BYTES || key.toString('base64') !== text.trim())
    throw new Error(`the master key file ${file} must hold base64 of ${MASTER_KEY_BYTES} bytes`);
  // Readable by its owner only, where this process owns it (a secret mounted
  // read-only, a Kubernetes secret, is as its platform made it).
  const { mode, uid } = await stat(file);
  if ((mode & 0o077) !== 0 && uid === process.getuid?.()) await chmod(file, 0o600).catch(() => undefined);
  return masterKeyOf(key);
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const wrapAad = (customerId: string) => Buffer.from(`crh customer key v1\u0000${customerId}`, 'utf8');

/** A customer's data key wrapped by the master key (AES-256-GCM, the customer id bound in): IV, key, tag. */
export function wrapDataKey(master: MasterKey, customerId: string, dataKey: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(wrapAad(customerId));
  return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
}

/** The data key a wrapDataKey for this customer holds; throws when the master or the customer is another. */
export function unwrapDataKey(master: MasterKey, customerId: string, wrapped: Uint8Array): Buffer {
  const bytes = Buffer.from(wrapped);
  const decipher = createDecipheriv('aes-256-gcm', master.key, bytes.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(wrapAad(customerId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, -TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error(`the data key of customer ${customerId} does not open with master key ${master.id}`);
  }
}
