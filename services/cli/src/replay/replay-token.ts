import type { PlatformConfig } from '@crh/config';
import { cliAuthSettings, mintCliToken } from '../platform/local-token.ts';

/** The Authorization header `crh replay` sends, and where its token came from (for messages, never the token). */
export interface ReplayToken {
  authorization: string | null;
  source: string;
}

/** Long enough for the count and the replay's start: a token is checked when each request starts. */
const MINTED_TTL = '15m';

/**
 * The token for the replay API: `--token`, else CRH_TOKEN, else (without an
 * identity provider) a 15-minute analyst token signed with the local key of
 * the platform `crh start` runs from here. None when access control is off.
 */
export async function replayToken(config: PlatformConfig, flag: string | undefined): Promise<ReplayToken> {
  const given = flag ?? config.env.CRH_TOKEN;
  if (given !== undefined && given.trim() !== '') {
    // A pasted `Bearer <jwt>` is taken as the token it holds.
    const token = given.trim().replace(/^Bearer\s+/i, '');
    return { authorization: `Bearer ${token}`, source: flag !== undefined ? '--token' : 'CRH_TOKEN' };
  }
  if (config.env.CRH_AUTH === 'off') return { authorization: null, source: 'nowhere (CRH_AUTH=off)' };
  const token = await mintCliToken(
    config,
    { sub: 'crh-cli', roles: ['analyst'], ttl: MINTED_TTL },
    { create: false },
  );
  return {
    authorization: `Bearer ${token}`,
    source: `the local key in ${cliAuthSettings(config.env).localKeyDir} (an analyst token for 15 minutes)`,
  };
}
