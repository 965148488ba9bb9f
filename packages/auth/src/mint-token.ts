import { importJWK, SignJWT } from 'jose';
import type { AuthSettings } from './auth-settings.ts';
import { ensureLocalKey } from './local-key.ts';
import type { Role } from './roles.ts';

export interface TokenRequest {
  sub: string;
  roles: readonly Role[];
  /** An account manager's id; written to the manager claim when it is not `sub`. */
  managerId?: string;
  /** jose time span: '8h', '30m', '1 day'. */
  ttl?: string;
}

export class MintRefused extends Error {}

/**
 * A token signed with the platform's local key (created when missing), for
 * people and scripts when no identity provider is set.
 */
export async function mintLocalToken(settings: AuthSettings, request: TokenRequest): Promise<string> {
  if (settings.jwksUrl) {
    throw new MintRefused(
      'CRH_AUTH_JWKS_URL is set: tokens come from the identity provider, not from the local key',
    );
  }
  const { privateJwk } = await ensureLocalKey(settings.localKeyDir);
  const key = await importJWK(privateJwk, 'ES256');
  const claims: Record<string, unknown> = { [settings.rolesClaim]: [...request.roles] };
  if (request.managerId !== undefined && settings.managerClaim !== 'sub') {
    claims[settings.managerClaim] = request.managerId;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setSubject(
      request.managerId !== undefined && settings.managerClaim === 'sub' ? request.managerId : request.sub,
    )
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(request.ttl ?? '8h')
    .sign(key);
}
