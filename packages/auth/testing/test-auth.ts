import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthSettings } from '../src/auth-settings.ts';
import { mintLocalToken } from '../src/mint-token.ts';
import type { Role } from '../src/roles.ts';
import { createTokenVerifier, type TokenVerifier } from '../src/token-verifier.ts';

export interface TestAuth {
  settings: AuthSettings;
  verifier: TokenVerifier;
  /** A bearer token for these roles (an account manager's id as `managerId`). */
  token(
    roles: Role | readonly Role[],
    options?: { managerId?: string; sub?: string; ttl?: string },
  ): Promise<string>;
  /** `Bearer <token>` for an Authorization header. */
  bearer(roles: Role | readonly Role[], options?: { managerId?: string; sub?: string }): Promise<string>;
}

/** The default settings with a fresh local key in a temporary directory: tests mint real tokens. */
export function testAuthSettings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return {
    enabled: true,
    jwksUrl: null,
    localKeyDir: join(mkdtempSync(join(tmpdir(), 'crh-auth-')), 'auth'),
    issuer: 'crh-local',
    audience: 'crh',
    rolesClaim: 'roles',
    managerClaim: 'sub',
    clockToleranceSeconds: 60,
    jwksCacheMs: 600_000,
    jwksCooldownMs: 30_000,
    ...overrides,
  };
}

export async function openTestAuth(overrides: Partial<AuthSettings> = {}): Promise<TestAuth> {
  const settings = testAuthSettings(overrides);
  const verifier = await createTokenVerifier(settings);
  const token: TestAuth['token'] = (roles, options = {}) =>
    mintLocalToken(settings, {
      sub: options.sub ?? options.managerId ?? `test-${[roles].flat().join('+')}`,
      roles: [roles].flat(),
      ...(options.managerId !== undefined ? { managerId: options.managerId } : {}),
      ...(options.ttl !== undefined ? { ttl: options.ttl } : {}),
    });
  return {
    settings,
    verifier,
    token,
    bearer: async (roles, options) => `Bearer ${await token(roles, options)}`,
  };
}
