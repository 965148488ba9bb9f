import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authSettingsFrom, createTokenVerifier } from '@crh/auth';
import { loadConfig } from '@crh/config';
import { describe, expect, it } from 'vitest';
import { tokenCommand } from './token-command.ts';

/** The command over `env`, its stdout and stderr captured. */
async function token(env: Record<string, string>, flags: Parameters<typeof tokenCommand>[1]) {
  const output = { out: '', err: '' };
  const code = await tokenCommand(loadConfig(env).env, flags, {
    out: (text) => {
      output.out += text;
    },
    err: (text) => {
      output.err += text;
    },
  });
  return { code, ...output };
}

describe('crh token', () => {
  it('prints one token the services of the same data dir accept, with the roles and manager asked for', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')) };
    const result = await token(env, { role: ['account-manager', 'lead'], manager: 'am-3', ttl: '30m' });
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    expect(result.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    // What a service started with this CRH_DATA_DIR verifies against.
    const verifier = await createTokenVerifier(authSettingsFrom(loadConfig(env).env));
    const principal = await verifier.verify(`Bearer ${result.out.trim()}`);
    expect(principal).toEqual({
      sub: 'am-3',
      roles: new Set(['account-manager', 'lead']),
      managerId: 'am-3',
    });
    const claims = JSON.parse(Buffer.from(result.out.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(30 * 60);
  });

  it('names the subject given, and defaults to the roles', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')) };
    const verifier = async () => createTokenVerifier(authSettingsFrom(loadConfig(env).env));
    const named = await token(env, { role: ['ingest'], sub: 'crm-sync', ttl: '8h' });
    expect((await (await verifier()).verify(`Bearer ${named.out.trim()}`)).sub).toBe('crm-sync');
    const unnamed = await token(env, { role: ['admin'], ttl: '8h' });
    expect((await (await verifier()).verify(`Bearer ${unnamed.out.trim()}`)).sub).toBe('local-admin');
  });

  it('with --out, replaces the file with the token alone (mode 640) and prints nothing on stdout', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')) };
    const out = join(mkdtempSync(join(tmpdir(), 'crh-token-out-')), 'metrics-token');
    writeFileSync(out, 'an expired token', { mode: 0o600 });
    const result = await token(env, { role: ['monitoring'], sub: 'prometheus', ttl: '365d', out });
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/a monitoring token for prometheus, valid 365d, written to .*metrics-token/);
    const written = readFileSync(out, 'utf8');
    expect(written).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    const verifier = await createTokenVerifier(authSettingsFrom(loadConfig(env).env));
    const principal = await verifier.verify(`Bearer ${written}`);
    expect(principal.sub).toBe('prometheus');
    expect(principal.roles).toEqual(new Set(['monitoring']));
    const claims = JSON.parse(Buffer.from(written.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(365 * 24 * 3600);
  });

  it('refuses with exit code 2 and nothing on stdout when the identity provider issues tokens', async () => {
    const env = {
      CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')),
      CRH_AUTH_JWKS_URL: 'https://idp.example.org/realms/acme/protocol/openid-connect/certs',
    };
    const result = await token(env, { role: ['admin'], ttl: '8h' });
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/CRH_AUTH_JWKS_URL is set: tokens come from the identity provider/);
  });

  it('still prints a token with access control off, and says on stderr that it is off', async () => {
    const env = { CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-token-')), CRH_AUTH: 'off' };
    const result = await token(env, { role: ['admin'], ttl: '8h' });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(result.err).toMatch(/ACCESS CONTROL IS OFF/);
  });
});
