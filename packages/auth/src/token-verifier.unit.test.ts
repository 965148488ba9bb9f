import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { forgedTokens } from '../testing/forged-tokens.ts';
import { openTestAuth, testAuthSettings } from '../testing/test-auth.ts';
import { AuthError } from './auth-error.ts';
import { createTokenVerifier } from './token-verifier.ts';

const auth = await openTestAuth();
const forgeries = await forgedTokens(auth);

async function refusal(header: string | undefined): Promise<AuthError> {
  const error = await auth.verifier.verify(header).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).status).toBe(401);
  return error as AuthError;
}

describe('token verification', () => {
  it('accepts a token signed with the local key and reads sub, roles and manager id', async () => {
    const principal = await auth.verifier.verify(await auth.bearer('account-manager', { managerId: 'am-7' }));
    expect(principal.sub).toBe('am-7');
    expect([...principal.roles]).toEqual(['account-manager']);
    expect(principal.managerId).toBe('am-7');
  });

  it.each<[name: string, header: string | undefined, reason: RegExp]>([
    ['no header', undefined, /^no bearer token/],
    ...forgeries.map((f): [string, string, RegExp] => [f.name, f.authorization, f.reason]),
  ])('refuses %s with 401', async (_name, header, reason) => {
    const error = await refusal(header);
    expect(error.reason).toMatch(reason);
  });

  it('accepts a token just past exp within the leeway', async () => {
    const principal = await auth.verifier.verify(
      `Bearer ${await auth.token('admin', { sub: 'late', ttl: '-20s' })}`,
    );
    expect(principal.sub).toBe('late');
  });

  it('reads roles from a dotted claim path and the manager id from its own claim', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1' };
    const settings = testAuthSettings({ rolesClaim: 'realm_access.roles', managerClaim: 'employee_id' });
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(settings.localKeyDir, { recursive: true });
    writeFileSync(
      `${settings.localKeyDir}/signing-key.json`,
      JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256' }),
    );
    const verifier = await createTokenVerifier(settings);
    const token = await new SignJWT({
      realm_access: { roles: ['lead', 'unknown-role'] },
      employee_id: 'am-3',
    })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .setSubject('someone@example.org')
      .setIssuer('crh-local')
      .setAudience(['crh', 'other'])
      .setExpirationTime('5m')
      .sign(privateKey);
    const principal = await verifier.verify(`Bearer ${token}`);
    expect([...principal.roles]).toEqual(['lead']);
    expect(principal.managerId).toBe('am-3');
    expect(principal.sub).toBe('someone@example.org');
  });

  it('lets every caller through as admin when access control is off', async () => {
    const verifier = await createTokenVerifier(testAuthSettings({ enabled: false }));
    const principal = await verifier.verify(undefined);
    expect([...principal.roles]).toEqual(['admin']);
  });
});
