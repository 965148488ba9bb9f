import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { endSession, session } from '../auth/session.ts';
import { refreshAll } from './live-query.ts';

const bearer = (): string | undefined => {
  const current = session();
  return current.state === 'signed-in' ? `Bearer ${current.token}` : undefined;
};

/**
 * Subscriptions over graphql-ws on the gateway's own /graphql (same origin):
 * the token goes in connection_init, read again at every (re)connection so a
 * renewed one is used. A dropped connection is retried with backoff for as
 * long as the page is open; urql re-subscribes each live query on it.
 */
const ws = createWsClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
  lazy: true,
  connectionParams: () => ({ authorization: bearer() }),
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => session().state === 'signed-in',
  // 1 s, 2 s, 4 s ... at most 30 s, with jitter so a restarted gateway is not hit by every tab at once.
  retryWait: (retries) =>
    new Promise((resolve) =>
      setTimeout(resolve, Math.min(30_000, 1000 * 2 ** retries) * (0.5 + Math.random())),
    ),
  on: {
    // Changes made while the connection was down were never pushed: every
    // view asks again for what it shows, then follows the new connection.
    connected: (_socket, _payload, wasRetry) => {
      if (wasRetry) refreshAll();
    },
    closed: (event) => {
      // 4401/4403: the gateway refused the token (docs/access.md).
      const code = (event as CloseEvent | undefined)?.code;
      if (code === 4401) endSession('refused');
    },
  },
});

export const client = new Client({
  url: '/graphql',
  // Lists change with every logged contact: ask the gateway again rather than trust a stale cache.
  requestPolicy: 'cache-and-network',
  fetchOptions: (): RequestInit => {
    const authorization = bearer();
    return { headers: authorization ? { authorization } : {} };
  },
  exchanges: [
    mapExchange({
      onError(error) {
        if (error.response?.status === 401) endSession('refused');
      },
    }),
    cacheExchange,
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            const dispose = ws.subscribe(input, sink);
            return { unsubscribe: dispose };
          },
        };
      },
    }),
  ],
});
