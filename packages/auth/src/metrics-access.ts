import { AuthError } from './auth-error.ts';
import { can } from './roles.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * An Authorization header's verdict for /metrics: 'ok' for a token with
 * `metrics:read` (the `monitoring` role a scraper gets, or `admin`), else the
 * status to refuse with.
 */
export function metricsAccess(verifier: TokenVerifier) {
  return async (authorization: string | undefined): Promise<'ok' | 401 | 403> => {
    try {
      return can(await verifier.verify(authorization), 'metrics:read') ? 'ok' : 403;
    } catch (error) {
      if (error instanceof AuthError) return 401;
      throw error;
    }
  };
}
