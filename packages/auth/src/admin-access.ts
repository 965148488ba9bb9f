import { AuthError } from './auth-error.ts';
import { can } from './roles.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * An Authorization header's verdict for operations endpoints such as
 * /metrics: 'ok' for an admin token, else the status to refuse with.
 */
export function adminAccess(verifier: TokenVerifier) {
  return async (authorization: string | undefined): Promise<'ok' | 401 | 403> => {
    try {
      return can(await verifier.verify(authorization), 'admin') ? 'ok' : 403;
    } catch (error) {
      if (error instanceof AuthError) return 401;
      throw error;
    }
  };
}
