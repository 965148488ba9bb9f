import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_OFF_WARNING, createTokenVerifier } from '@crh/auth';
import { describe, expect, it } from 'vitest';
import { localAuth } from './platform/local-auth.ts';
import { accessLines } from './start-command.ts';

// A JWT: its header is base64url JSON, so it starts with eyJ.
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;
const dataDir = () => mkdtempSync(join(tmpdir(), 'crh-start-'));

describe('what npm start prints about access', () => {
  it('prints an admin token, its sign-in link and a curl line, all accepted by the services of that data dir', async () => {
    const auth = await localAuth(dataDir(), {});
    const lines = await accessLines(auth, 'http://localhost:4000', {});
    const text = lines.join('\n');
    const admin = new RegExp(`admin token:\\s+(${JWT.source})`).exec(text)?.[1];
    expect(admin).toBeDefined();
    expect(text).toContain(`admin sign-in link:  http://localhost:4000/#access_token=${admin}`);
    expect(text).toContain(`curl -s http://localhost:4000/graphql -H "Authorization: Bearer ${admin}"`);
    expect(text).not.toMatch(/am-1/);
    const verifier = await createTokenVerifier(auth.settings);
    const principal = await verifier.verify(`Bearer ${admin}`);
    expect([...principal.roles]).toEqual(['admin']);
    const { exp, iat } = JSON.parse(Buffer.from(admin!.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
      iat: number;
    };
    expect(exp - iat).toBe(8 * 3600);
    // The team lead's link opens the board, which reads every book.
    const lead = new RegExp(`lead sign-in link:\\s+http://localhost:4000/#access_token=(${JWT.source})`).exec(
      text,
    )?.[1];
    expect(text).toContain('(the team board: http://localhost:4000/team)');
    expect([...(await verifier.verify(`Bearer ${lead}`)).roles]).toEqual(['lead']);
  });

  it("adds each demo account manager's token and sign-in link with --seed-demo", async () => {
    const auth = await localAuth(dataDir(), {});
    const text = (await accessLines(auth, 'http://localhost:4000', { seedDemo: true })).join('\n');
    const verifier = await createTokenVerifier(auth.settings);
    for (const manager of ['am-1', 'am-2', 'am-3', 'am-4', 'am-5']) {
      const token = new RegExp(`${manager} token:\\s+(${JWT.source})`).exec(text)?.[1];
      expect(text).toMatch(
        new RegExp(`${manager} sign-in link:\\s+http://localhost:4000/#access_token=${token}`),
      );
      const principal = await verifier.verify(`Bearer ${token}`);
      expect(principal).toMatchObject({ managerId: manager, roles: new Set(['account-manager']) });
    }
  });

  it('prints no token when an identity provider issues them', async () => {
    const idp = 'https://idp.example.org/realms/acme/protocol/openid-connect/certs';
    const auth = await localAuth(dataDir(), { CRH_AUTH_JWKS_URL: idp });
    const text = (await accessLines(auth, 'http://localhost:4000', { seedDemo: true })).join('\n');
    expect(text).not.toMatch(JWT);
    expect(text).toContain(`tokens come from the identity provider (CRH_AUTH_JWKS_URL=${idp})`);
  });

  it('prints the warning, and no token, when access control is off', async () => {
    const auth = await localAuth(dataDir(), { CRH_AUTH: 'off' });
    const lines = await accessLines(auth, 'http://localhost:4000', { seedDemo: true });
    expect(lines).toContain(AUTH_OFF_WARNING);
    expect(lines.join('\n')).not.toMatch(JWT);
  });
});
