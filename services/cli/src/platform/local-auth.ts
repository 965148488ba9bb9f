import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthSettings, authSettingsFrom, ensureLocalKey, mintLocalToken, type Role } from '@crh/auth';
import { loadConfig } from '@crh/config';

/** Access control as the service processes this CLI runs see it, with the local key of one data dir. */
export interface LocalAuth {
  settings: AuthSettings;
  /** To add to the services' environment: they verify against exactly this key. */
  env: Record<string, string>;
  /** `Bearer <jwt>` signed with the local key, valid `ttl` (default 8h). Throws when an identity provider issues tokens. */
  bearer(
    roles: readonly Role[],
    options?: { sub?: string; managerId?: string; ttl?: string },
  ): Promise<string>;
}

/**
 * The local key in `dataDir`, created here when the services will verify
 * against it (no CRH_AUTH_JWKS_URL), before any service starts. The services
 * are given CRH_DATA_DIR explicitly: their default (`.crh` where they start)
 * and the CLI's (the clone's `.crh`, or a temp folder as root) may differ.
 */
export async function localAuth(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  force: Record<string, string> = {},
): Promise<LocalAuth> {
  const processEnv = { ...force, CRH_DATA_DIR: dataDir };
  const settings = authSettingsFrom(loadConfig({ ...env, ...processEnv }).env);
  if (!settings.jwksUrl) await ensureLocalKey(settings.localKeyDir);
  return {
    settings,
    env: processEnv,
    bearer: async (roles, options = {}) =>
      `Bearer ${await mintLocalToken(settings, {
        sub: options.sub ?? options.managerId ?? `local-${roles.join('+')}`,
        roles,
        ...(options.managerId !== undefined ? { managerId: options.managerId } : {}),
        ttl: options.ttl ?? '8h',
      })}`,
  };
}

/**
 * Access control on, with a local key in a fresh temporary data dir, whatever
 * the environment says: for services the bench runs and stops. `remove`
 * deletes the key.
 */
export async function temporaryLocalAuth(): Promise<LocalAuth & { remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'crh-auth-'));
  // An empty variable counts as unset: no identity provider here.
  const auth = await localAuth(dir, process.env, { CRH_AUTH: 'on', CRH_AUTH_JWKS_URL: '' });
  return { ...auth, remove: () => rm(dir, { recursive: true, force: true }) };
}
