import { AuthError, type Principal, type TokenVerifier } from '@crh/auth';
import type { Logger } from '@crh/observability';
import type { Plugin } from 'graphql-yoga';

/** The caller of each HTTP request, set before Yoga parses it. */
const principals = new WeakMap<Request, Principal>();

/** The caller of an HTTP request the plugin let through. */
export const principalOfRequest = (request: Request): Principal | undefined => principals.get(request);

/**
 * Every GraphQL request over HTTP (POST, GET, SSE) carries a bearer token:
 * without a valid one the answer is 401 with `WWW-Authenticate: Bearer` and a
 * GraphQL error coded UNAUTHENTICATED, before anything is parsed or run.
 * graphql-ws authenticates its connection_init instead (websocket.ts).
 */
export function useAuthentication(verifier: TokenVerifier, logger: Logger, endpoint: string): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint || request.method === 'OPTIONS') return;
      if (url.searchParams.has('access_token')) {
        endResponse(
          unauthenticated(
            logger,
            request,
            'a token in the query string is not accepted (it ends up in logs): send Authorization: Bearer',
          ),
        );
        return;
      }
      try {
        principals.set(request, await verifier.verify(request.headers.get('authorization')));
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        endResponse(unauthenticated(logger, request, error.reason));
      }
    },
  };
}

function unauthenticated(logger: Logger, request: Request, reason: string): Response {
  logger.warn({ sub: null, route: `${request.method} ${new URL(request.url).pathname}`, reason }, 'refused');
  return Response.json(
    {
      errors: [
        {
          message: `authentication required: ${reason}`,
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    },
    { status: 401, headers: { 'www-authenticate': 'Bearer realm="crh"' } },
  );
}
