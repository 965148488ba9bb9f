import type { Principal, RateLimit } from '@crh/auth';
import type { Logger } from '@crh/observability';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { principalOfRequest } from './authentication-plugin.ts';

/** The code of a GraphQL error refusing a request over the limit. */
export const RATE_LIMITED = 'RATE_LIMITED';

const message = (retryAfterSeconds: number) =>
  `too many requests for this token: try again in ${retryAfterSeconds} s`;

/**
 * Requests per token `sub` (CRH_RATE_LIMIT) over HTTP: POST, GET and each
 * SSE subscription count one; over the limit the answer is 429 with
 * `Retry-After` and a GraphQL error coded RATE_LIMITED, before anything is
 * parsed. Runs after authentication (it needs the caller); graphql-ws
 * counts its operations with `rateLimitOperation` instead.
 */
export function useRateLimit(limit: RateLimit, logger: Logger, endpoint: string): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint || request.method === 'OPTIONS') return;
      const principal = principalOfRequest(request);
      // Refused by authentication already: nothing to count.
      if (!principal) return;
      const verdict = await limit.take(principal.sub);
      if (verdict.allowed) return;
      logRefusal(logger, principal, `${request.method} ${url.pathname}`, limit);
      endResponse(
        Response.json(
          { errors: [{ message: message(verdict.retryAfterSeconds), extensions: { code: RATE_LIMITED } }] },
          { status: 429, headers: { 'retry-after': String(verdict.retryAfterSeconds) } },
        ),
      );
    },
  };
}

/**
 * One graphql-ws operation (a subscribe message) counted against the same
 * limit: null when it may run, else the error that answers the operation
 * (the socket stays open for the caller's other operations).
 */
export async function rateLimitOperation(
  limit: RateLimit,
  logger: Logger,
  principal: Principal,
  operation: string,
): Promise<GraphQLError | null> {
  const verdict = await limit.take(principal.sub);
  if (verdict.allowed) return null;
  logRefusal(logger, principal, `graphql-ws ${operation}`, limit);
  return new GraphQLError(message(verdict.retryAfterSeconds), {
    extensions: { code: RATE_LIMITED, retryAfterSeconds: verdict.retryAfterSeconds },
  });
}

function logRefusal(logger: Logger, principal: Principal, route: string, limit: RateLimit): void {
  logger.warn({ sub: principal.sub, route, reason: `rate limit ${limit.rate} reached` }, 'refused');
}
