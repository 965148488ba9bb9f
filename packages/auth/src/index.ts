export { AuthError } from './auth-error.ts';
export { AUTH_OFF_WARNING, type AuthSettings, authSettingsFrom, localKeyDirOf } from './auth-settings.ts';
export { ensureLocalKey, type LocalKey, localKeyFile, readLocalKey } from './local-key.ts';
export { metricsAccess } from './metrics-access.ts';
export { MintRefused, mintLocalToken, type TokenRequest } from './mint-token.ts';
export { createRateLimit, type RateLimit, type RateLimitVerdict } from './rate-limit.ts';
export {
  type Book,
  bookOf,
  can,
  isRole,
  type Permission,
  type Principal,
  ROLES,
  type Role,
  UNCHECKED_ADMIN,
} from './roles.ts';
export { createTokenVerifier, principalOf, type TokenVerifier } from './token-verifier.ts';
