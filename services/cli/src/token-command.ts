import { randomUUID } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AUTH_OFF_WARNING, isRole, MintRefused, mintLocalToken, ROLES, type Role } from '@crh/auth';
import type { Env } from '@crh/config';
import { InvalidArgumentError } from 'commander';
import { cliAuthSettings } from './platform/local-token.ts';

export interface TokenFlags {
  /** At least one; commander collects every `--role`. */
  role: Role[];
  manager?: string;
  sub?: string;
  ttl: string;
  /** Write the token to this file instead of stdout (a scraper's credentials file). */
  out?: string;
}

export const DEFAULT_TOKEN_TTL = '8h';

/** `--role`, repeatable: each value must be one of the roles. */
export function collectRole(value: string, previous: Role[] | undefined): Role[] {
  if (!isRole(value)) throw new InvalidArgumentError(`not a role; the roles are ${ROLES.join(', ')}`);
  return [...(previous ?? []), value];
}

// jose's time spans, forward only: "8h", "30m", "2 days". No "ago", no sign.
const TIME_SPAN = /^[1-9][0-9]* ?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)$/i;

/** `--ttl`: a positive time span like 8h, 30m or 7d. */
export function timeSpan(value: string): string {
  if (!TIME_SPAN.test(value.trim())) {
    throw new InvalidArgumentError('a time span like 8h, 30m or 7d (s, m, h, d or w)');
  }
  return value.trim();
}

/** A usage error commander does not see: the command line is wrong as a whole. */
export function tokenFlagsProblem(flags: TokenFlags): string | null {
  if (flags.role.includes('account-manager') && !flags.manager) {
    return '--manager <id> is required with --role account-manager (the book the token reads)';
  }
  return null;
}

/**
 * `crh token --role ROLE [--role ROLE2] [--manager ID] [--sub NAME] [--ttl 8h] [--out FILE]`:
 * one JWT signed with the local key (the one the services verify against:
 * `<data dir>/auth`, created when missing), on stdout and nothing else there,
 * so `TOKEN=$(npm run -s crh -- token --role admin)` works; with `--out`, in
 * that file instead (see writeTokenFile). Exit 2 when CRH_AUTH_JWKS_URL is
 * set: tokens then come from the identity provider.
 */
export async function tokenCommand(
  env: Env,
  flags: TokenFlags,
  output: { out(text: string): void; err(text: string): void },
): Promise<number> {
  const settings = cliAuthSettings(env);
  const sub = flags.sub ?? flags.manager ?? `local-${flags.role.join('+')}`;
  let token: string;
  try {
    token = await mintLocalToken(settings, {
      sub,
      roles: flags.role,
      ...(flags.manager !== undefined ? { managerId: flags.manager } : {}),
      ttl: flags.ttl,
    });
  } catch (error) {
    if (!(error instanceof MintRefused)) throw error;
    output.err(`crh token: ${error.message}. Ask the identity provider for a token.\n`);
    return 2;
  }
  if (!settings.enabled) output.err(`crh token: note: ${AUTH_OFF_WARNING}\n`);
  if (flags.out === undefined) {
    output.out(`${token}\n`);
    return 0;
  }
  await writeTokenFile(flags.out, token);
  output.err(
    `crh token: a ${flags.role.join('+')} token for ${sub}, valid ${flags.ttl}, written to ${flags.out}\n`,
  );
  return 0;
}

/**
 * The token alone (no newline) in `file`, replaced whole: a reader such as
 * Prometheus, which reads its credentials file on every scrape, sees the old
 * token or the new one, never half of one. Mode 640: the owner and its group
 * (the scraper's, in docker-compose.yml), nobody else.
 */
async function writeTokenFile(file: string, token: string): Promise<void> {
  const temporary = join(dirname(file), `.token-${randomUUID()}`);
  try {
    await writeFile(temporary, token, { mode: 0o640 });
    await chmod(temporary, 0o640); // whatever the umask took away
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}
