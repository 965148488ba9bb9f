import {
  type AuthSettings,
  authSettingsFrom,
  localKeyDirOf,
  mintLocalToken,
  readLocalKey,
  type TokenRequest,
} from '@crh/auth';
import type { Env, PlatformConfig } from '@crh/config';
import { dataDir } from './data-dir.ts';

/**
 * The access-control settings as the CLI's commands see them: the local key
 * lives where the services it starts keep theirs, `dataDir()/auth` (the
 * data dir `crh start` gives them as CRH_DATA_DIR).
 */
export function cliAuthSettings(env: Env): AuthSettings {
  return {
    ...authSettingsFrom(env),
    localKeyDir: localKeyDirOf(dataDir({ CRH_DATA_DIR: env.CRH_DATA_DIR })),
  };
}

/** No token can be had without being given one: the message says what to do. */
export class NoTokenError extends Error {}

/**
 * A token signed with the local key, for the CLI's own calls to the
 * services. `create`: make the key when there is none yet (the caller is
 * about to start services on it); otherwise a missing key means the
 * services run elsewhere, and a token from a new key would only be refused.
 */
export async function mintCliToken(
  config: PlatformConfig,
  request: TokenRequest,
  options: { create: boolean },
): Promise<string> {
  const settings = cliAuthSettings(config.env);
  if (settings.jwksUrl) {
    throw new NoTokenError(
      'the tokens of this platform come from the identity provider (CRH_AUTH_JWKS_URL): give one with --token or CRH_TOKEN',
    );
  }
  if (!options.create && !(await readLocalKey(settings.localKeyDir))) {
    throw new NoTokenError(
      `no local key in ${settings.localKeyDir} (the platform was not started from here, or with another CRH_DATA_DIR): give a token with --token or CRH_TOKEN`,
    );
  }
  return mintLocalToken(settings, request);
}
