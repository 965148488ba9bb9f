import type { Server } from 'node:http';
import { AuthError, type Principal, type RateLimit, type TokenVerifier } from '@crh/auth';
import type { Logger } from '@crh/observability';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { rateLimitOperation } from './auth/rate-limit-plugin.ts';
import type { GatewayContext } from './builder.ts';

/** The largest graphql-ws message the gateway reads. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

type Enveloped = ReturnType<YogaServerInstance<Record<string, unknown>, GatewayContext>['getEnveloped']>;
type Root = { execute: Enveloped['execute']; subscribe: Enveloped['subscribe'] };

/**
 * graphql-ws (the graphql-transport-ws protocol) on the HTTP server's
 * /graphql path, through Yoga's envelope, so a WebSocket operation gets the
 * same schema, context, validation and error masking as SSE and HTTP.
 * Returns a function that closes every socket.
 */
export function serveWebSockets(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>,
  auth: { verifier: TokenVerifier; logger: Logger; rateLimit: RateLimit },
): () => Promise<void> {
  // ws takes messages of up to 100 MiB by default; an operation is a few KB
  // (CRH_GRAPHQL_MAX_TOKENS), so a larger frame closes the socket (1009).
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: MAX_MESSAGE_BYTES });
  const callers = new WeakMap<object, Principal>();
  const disposable = useServer(
    {
      // The connection_init payload carries the token: {"authorization": "Bearer <jwt>"}.
      // Without a valid one the socket closes with 4401 before any operation.
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization;
        try {
          // As on HTTP: a token in the URL ends up in logs, so its presence alone refuses.
          if (new URL(ctx.extra.request.url ?? '/', 'http://gateway').searchParams.has('access_token')) {
            throw new AuthError(
              401,
              'a token in the query string is not accepted (it ends up in logs): send it in connection_init',
            );
          }
          callers.set(ctx.extra, await auth.verifier.verify(typeof header === 'string' ? header : null));
          return true;
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          auth.logger.warn(
            { sub: null, route: 'graphql-ws connection_init', reason: error.reason },
            'refused',
          );
          ctx.extra.socket.close(4401, 'Unauthorized');
          return false;
        }
      },
      execute: (args) => (args.rootValue as Root).execute(args),
      subscribe: (args) => (args.rootValue as Root).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const caller = callers.get(ctx.extra);
        // Each operation counts against the caller's limit, like an HTTP request.
        if (caller) {
          const refused = await rateLimitOperation(
            auth.rateLimit,
            auth.logger,
            caller,
            params.operationName ?? 'operation',
          );
          if (refused) return [refused];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          principal: caller,
        });
        let document: ExecutionArgs['document'];
        try {
          document = parse(params.query);
        } catch (error) {
          // A syntax error answers this operation, not the whole socket.
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName ?? null,
          document,
          variableValues: params.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Root,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    sockets,
  );
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  };
}
