import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { AuthError } from './auth-error.ts';
import type { AuthSettings } from './auth-settings.ts';
import { ensureLocalKey } from './local-key.ts';
import { isRole, type Principal, type Role, UNCHECKED_ADMIN } from './roles.ts';

// Asymmetric only: `none` and HS256 (a public key used as an HMAC secret) never verify.
const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

export interface TokenVerifier {
  /** Whether tokens are checked at all (CRH_AUTH). */
  readonly enabled: boolean;
  /**
   * The caller of a request, from its Authorization header. Throws
   * AuthError(401) for a missing, malformed, expired or wrongly signed token.
   */
  verify(authorization: string | null | undefined): Promise<Principal>;
}

/**
 * Verifies bearer tokens against the identity provider's key set (fetched,
 * cached, refetched for an unknown kid) or the platform's own local key.
 */
export async function createTokenVerifier(settings: AuthSettings): Promise<TokenVerifier> {
  if (!settings.enabled) {
    return { enabled: false, verify: async () => UNCHECKED_ADMIN };
  }
  const keys: JWTVerifyGetKey = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), {
        cacheMaxAge: settings.jwksCacheMs,
        cooldownDuration: settings.jwksCooldownMs,
      })
    : createLocalJWKSet((await ensureLocalKey(settings.localKeyDir)).publicJwks);
  return {
    enabled: true,
    async verify(authorization) {
      const token = bearerToken(authorization);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: ALGORITHMS,
          issuer: settings.issuer,
          audience: settings.audience,
          clockTolerance: settings.clockToleranceSeconds,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        throw new AuthError(401, refusalReason(error));
      }
      return principalOf(payload, settings);
    },
  };
}

function bearerToken(authorization: string | null | undefined): string {
  if (!authorization) throw new AuthError(401, 'no bearer token (Authorization: Bearer <jwt>)');
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthError(401, 'the Authorization header is not "Bearer <jwt>"');
  return match[1];
}

function refusalReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid';
    return `token claim ${error.claim} is not accepted`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token signed with an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return 'the identity provider key set is unavailable';
  }
  if (error instanceof errors.JOSEError) return `token invalid (${error.code})`;
  return 'token invalid';
}

/** The caller a verified payload names: its subject, roles and manager id. */
export function principalOf(payload: JWTPayload, settings: AuthSettings): Principal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new AuthError(401, 'token has no sub');
  const roles = new Set<Role>(roleNames(claimAt(payload, settings.rolesClaim)).filter(isRole));
  const manager = claimAt(payload, settings.managerClaim);
  const managerId = typeof manager === 'string' && manager !== '' ? manager : null;
  return { sub, roles, managerId };
}

/** A claim by dotted path (`realm_access.roles`); a literal dotted name wins. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles as an array, or a space-separated string (the OAuth `scope` style). */
function roleNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v !== '');
  return [];
}
