import { resolve } from 'node:path';
import type { Env } from '@crh/config';

/** Access-control settings, from the environment (see docs/access.md). */
export interface AuthSettings {
  /** off: every caller is admin. */
  enabled: boolean;
  /** The identity provider's JWKS; null: the local key set in `localKeyDir`. */
  jwksUrl: string | null;
  localKeyDir: string;
  issuer: string;
  audience: string;
  rolesClaim: string;
  managerClaim: string;
  clockToleranceSeconds: number;
  jwksCacheMs: number;
  jwksCooldownMs: number;
}

/** `CRH_DATA_DIR/auth`, default `.crh/auth` from where the process starts. */
export function localKeyDirOf(dataDir: string | undefined): string {
  return resolve(dataDir ?? '.crh', 'auth');
}

type AuthEnv = Pick<
  Env,
  | 'CRH_AUTH'
  | 'CRH_AUTH_JWKS_URL'
  | 'CRH_DATA_DIR'
  | 'CRH_AUTH_ISSUER'
  | 'CRH_AUTH_AUDIENCE'
  | 'CRH_AUTH_ROLES_CLAIM'
  | 'CRH_AUTH_MANAGER_CLAIM'
  | 'CRH_AUTH_CLOCK_TOLERANCE_S'
  | 'CRH_AUTH_JWKS_CACHE_MS'
  | 'CRH_AUTH_JWKS_COOLDOWN_MS'
>;

export function authSettingsFrom(env: AuthEnv): AuthSettings {
  return {
    enabled: env.CRH_AUTH === 'on',
    jwksUrl: env.CRH_AUTH_JWKS_URL ?? null,
    localKeyDir: localKeyDirOf(env.CRH_DATA_DIR),
    issuer: env.CRH_AUTH_ISSUER,
    audience: env.CRH_AUTH_AUDIENCE,
    rolesClaim: env.CRH_AUTH_ROLES_CLAIM,
    managerClaim: env.CRH_AUTH_MANAGER_CLAIM,
    clockToleranceSeconds: env.CRH_AUTH_CLOCK_TOLERANCE_S,
    jwksCacheMs: env.CRH_AUTH_JWKS_CACHE_MS,
    jwksCooldownMs: env.CRH_AUTH_JWKS_COOLDOWN_MS,
  };
}

/** The one line services print when access control is off. */
export const AUTH_OFF_WARNING =
  'ACCESS CONTROL IS OFF (CRH_AUTH=off): every caller is admin and can read, write and replay everything. For local experiments only; never expose this process.';
