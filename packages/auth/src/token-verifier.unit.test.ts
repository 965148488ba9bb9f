import { createHmac } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { openTestAuth, testAuthSettings } from '../testing/test-auth.ts';
import { AuthError } from './auth-error.ts';
import { readLocalKey } from './local-key.ts';
import { createTokenVerifier } from './token-verifier.ts';

const auth = await openTestAuth();
const local = await readLocalKey(auth.settings.localKeyDir);
if (!local) throw new Error('the test key was not created');
const { privateKey: otherKey } = await generateKeyPair('ES256');
const now = () => Math.floor(Date.now() / 1000);

/** A token like the platform's own, with one thing changed. */
async function forged(change: {
  key?: CryptoKey;
  kid?: string;
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
}): Promise<string> {
  const { privateKey } = change.key
    ? { privateKey: change.key }
    : { privateKey: await (await import('jose')).importJWK(local!.privateJwk, 'ES256') };
  const jwt = new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'ES256', kid: change.kid ?? local!.privateJwk.kid })
    .setSubject('mallory')
    .setIssuer(change.iss ?? 'crh-local')
    .setAudience(change.aud ?? 'crh')
    .setIssuedAt()
    .setExpirationTime(change.exp ?? now() + 600);
  if (change.nbf !== undefined) jwt.setNotBefore(change.nbf);
  return jwt.sign(privateKey as CryptoKey);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payload = () => ({ sub: 'mallory', roles: ['admin'], iss: 'crh-local', aud: 'crh', exp: now() + 600 });

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

  it.each([
    ['no header', async () => undefined, /no bearer token/],
    ['a Basic header', async () => 'Basic YWRtaW46YWRtaW4=', /not "Bearer <jwt>"/],
    ['expired beyond the 60 s leeway', async () => `Bearer ${await forged({ exp: now() - 120 })}`, /expired/],
    [
      'not yet valid beyond the leeway',
      async () => `Bearer ${await forged({ nbf: now() + 300 })}`,
      /not yet valid/,
    ],
    ['a wrong issuer', async () => `Bearer ${await forged({ iss: 'evil' })}`, /iss/],
    ['a wrong audience', async () => `Bearer ${await forged({ aud: 'other' })}`, /aud/],
    ['another key with our kid', async () => `Bearer ${await forged({ key: otherKey })}`, /signature/],
    ['an unknown kid', async () => `Bearer ${await forged({ key: otherKey, kid: 'nope' })}`, /unknown key/],
    [
      'alg none',
      async () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload())}.`,
      /algorithm|invalid/,
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const publicJwk = local!.publicJwks.keys[0];
        const head = `${base64url({ alg: 'HS256', kid: local!.privateJwk.kid })}.${base64url(payload())}`;
        const signature = createHmac('sha256', JSON.stringify(publicJwk)).update(head).digest('base64url');
        return `Bearer ${head}.${signature}`;
      },
      /algorithm/,
    ],
  ])('refuses %s with 401', async (_name, header, reason) => {
    const error = await refusal(await header());
    expect(error.reason).toMatch(reason);
  });

  it('accepts a token just past exp within the leeway', async () => {
    const principal = await auth.verifier.verify(`Bearer ${await forged({ exp: now() - 20 })}`);
    expect(principal.sub).toBe('mallory');
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
