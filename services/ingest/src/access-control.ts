import {
  AuthError,
  can,
  type Permission,
  type Principal,
  type RateLimit,
  ROLES,
  type TokenVerifier,
} from '@crh/auth';
import type { Request, RequestHandler, Response } from 'express';
import { type Problem, problemTypes, sendProblem } from './problem-details.ts';

/** Which rate limit a route counts against: the replay API, recording events, or any other read. */
export type RateClass = 'replay' | 'append' | 'read';

export type IngestRateLimits = Readonly<Record<RateClass, RateLimit>>;

export interface AccessControl {
  /**
   * Every request but the probes: a valid bearer token, or 401. Runs before
   * any route, so nothing (not even a 404 or a body) is read for a caller
   * without one.
   */
  authenticate: RequestHandler;
  /**
   * One route's rule: the permission it needs (null: any valid token), or
   * 403; then the caller's rate limit for that kind of route, or 429.
   */
  permit(permission: Permission | null, rate: RateClass): RequestHandler;
}

/** The caller `authenticate` found for this request. */
export function callerOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  // Unreachable unless a route was mounted before `authenticate`: refuse rather than guess.
  if (!principal) throw new Error(`${res.req.method} ${res.req.path} was reached without authentication`);
  return principal;
}

export function accessControl(verifier: TokenVerifier, limits: IngestRateLimits): AccessControl {
  return {
    async authenticate(req, res, next) {
      if (queryHasToken(req)) {
        refuse(req, res, null, {
          type: problemTypes.unauthenticated,
          title: 'Authentication required',
          status: 401,
          detail:
            'a token in the query string is not accepted (it ends up in logs and browser history): send Authorization: Bearer <jwt>',
        });
        return;
      }
      try {
        res.locals.principal = await verifier.verify(req.headers.authorization);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        refuse(req, res, error.sub, {
          type: problemTypes.unauthenticated,
          title: 'Authentication required',
          status: 401,
          detail: error.reason,
        });
        return;
      }
      next();
    },

    permit(permission, rate) {
      const limit = limits[rate];
      return async (req, res, next) => {
        const caller = callerOf(res);
        if (permission !== null && !can(caller, permission)) {
          refuse(req, res, caller.sub, {
            type: problemTypes.forbidden,
            title: 'Forbidden',
            status: 403,
            detail: `${routeOf(req)} needs the permission ${permission}, which the roles ${rolesWith(permission).join(', ')} have; this token has ${[...caller.roles].join(', ') || 'no known role'}`,
          });
          return;
        }
        // Without access control everyone is the same admin: count per client address instead.
        const verdict = await limit.take(verifier.enabled ? `sub:${caller.sub}` : `address:${req.ip}`);
        if (!verdict.allowed) {
          res.setHeader('retry-after', String(verdict.retryAfterSeconds));
          refuse(req, res, caller.sub, {
            type: problemTypes.tooManyRequests,
            title: 'Too many requests',
            status: 429,
            detail: `at most ${limit.rate} requests of this kind per token subject; retry in ${verdict.retryAfterSeconds} s`,
          });
          return;
        }
        next();
      };
    },
  };
}

/** `GET /v1/customers/:customerId/events`: the route's pattern when matched, else the path. */
const routeOf = (req: Request): string =>
  `${req.method} ${req.route ? `${req.baseUrl}${String(req.route.path)}` : req.path}`;

function queryHasToken(req: Request): boolean {
  const query = req.originalUrl.indexOf('?');
  return query !== -1 && new URLSearchParams(req.originalUrl.slice(query + 1)).has('access_token');
}

/** The roles granting a permission, from the one table that says so (packages/auth roles.ts). */
function rolesWith(permission: Permission): string[] {
  return ROLES.filter((role) => can({ sub: '', roles: new Set([role]), managerId: null }, permission));
}

/**
 * Logs the refusal (who, where, why; never the token) and answers it. A
 * request whose body is still unread gets `Connection: close`, so the
 * server drops the connection after the answer instead of reading the rest
 * (up to INGEST_BODY_LIMIT) for nobody.
 */
function refuse(req: Request, res: Response, sub: string | null, problem: Problem): void {
  req.log?.warn({ sub, route: routeOf(req), reason: problem.detail, status: problem.status }, 'refused');
  if (problem.status === 401) res.setHeader('www-authenticate', 'Bearer realm="crh"');
  if (hasBody(req)) res.setHeader('connection', 'close');
  sendProblem(res, problem);
}

const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
