/**
 * Why a request was refused. `status` 401: no usable token; 403: a valid
 * token without the permission. The reason is safe to log and to answer
 * (it never holds the token).
 */
export class AuthError extends Error {
  readonly status: 401 | 403;
  readonly reason: string;
  /** The token's subject when it was valid (403), for the refusal log. */
  readonly sub: string | null;

  constructor(status: 401 | 403, reason: string, sub: string | null = null) {
    super(reason);
    this.name = 'AuthError';
    this.status = status;
    this.reason = reason;
    this.sub = sub;
  }
}
