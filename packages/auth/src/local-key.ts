import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';

/** The local signing key: an ES256 private JWK with its kid. */
export interface LocalKey {
  privateJwk: JWK & { kid: string; alg: 'ES256' };
  /** The public half as a key set, what the services verify against. */
  publicJwks: JSONWebKeySet;
}

const KEY_FILE = 'signing-key.json';

export const localKeyFile = (dir: string): string => join(dir, KEY_FILE);

/** The local key of `dir`, or null when none was created yet. */
export async function readLocalKey(dir: string): Promise<LocalKey | null> {
  let text: string;
  try {
    text = await readFile(localKeyFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const privateJwk = JSON.parse(text) as LocalKey['privateJwk'];
  return { privateJwk, publicJwks: { keys: [publicHalf(privateJwk)] } };
}

/**
 * The local key of `dir`, created on first use. The gateway, ingest and the
 * CLI may start at once: the key is written to a temporary file and linked
 * into place, so exactly one of them creates it and every other one reads
 * that one (link fails when the name exists; rename would overwrite it).
 */
export async function ensureLocalKey(dir: string): Promise<LocalKey> {
  const existing = await readLocalKey(dir);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const privateJwk = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' as const, use: 'sig' };
  const temporary = join(dir, `.${KEY_FILE}.${randomUUID()}`);
  await writeFile(temporary, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  try {
    await link(temporary, localKeyFile(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  const key = await readLocalKey(dir);
  if (!key) throw new Error(`the local key ${localKeyFile(dir)} vanished while it was created`);
  return key;
}

function publicHalf(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}
