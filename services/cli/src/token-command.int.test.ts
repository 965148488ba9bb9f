import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { loadConfig } from '@crh/config';
import { describe, expect, it } from 'vitest';
import { runCrh } from '../testing/run-crh.ts';

const crh = (args: string[], env: Record<string, string>) =>
  runCrh(args, { env: { ...process.env, ...env } });

// As a script runs it: TOKEN=$(crh token --role admin).
describe('crh token as a process', () => {
  it('prints the token alone on stdout, signed with the key of CRH_DATA_DIR', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')) };
    const result = await crh(['token', '--role', 'analyst', '--sub', 'nightly-export'], env);
    expect(result, result.err).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verifier = await createTokenVerifier(authSettingsFrom(loadConfig(env).env));
    const principal = await verifier.verify(`Bearer ${result.out.trim()}`);
    expect(principal.sub).toBe('nightly-export');
    expect([...principal.roles]).toEqual(['analyst']);
  });

  it('exits 2 with the reason on stderr for a bad command line and for an identity provider', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')) };
    const unknown = await crh(['token', '--role', 'root'], env);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toMatch(/'root' is invalid\. not a role/);
    const idp = await crh(['token', '--role', 'admin'], {
      ...env,
      CRH_AUTH_JWKS_URL: 'https://idp.example.org/certs',
    });
    expect(idp).toMatchObject({ code: 2, out: '' });
    expect(idp.err).toMatch(/CRH_AUTH_JWKS_URL is set/);
  });
});
