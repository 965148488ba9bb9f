import type { ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import type { Cut } from './change-hub.ts';

/** How long a WebSocket that stopped reading gets to take its close frame before it is terminated. */
const CLOSE_FRAME_GRACE_MS = 1_000;

/**
 * How to close the connection a subscription arrived on, from its GraphQL
 * context: the graphql-ws socket (websocket.ts puts it there) or, for SSE,
 * the Node response Yoga's adapter puts there. A client that stopped
 * reading would never see an error written after what it left unread, so
 * the connection itself ends: a WebSocket with 1013 (try again later: the
 * client reconnects, resubscribes and refetches), an SSE stream cut.
 */
export function transportCut(ctx: object): Cut | undefined {
  const { res, socket } = ctx as { res?: unknown; socket?: unknown };
  if (socket instanceof WebSocket) {
    return () => {
      socket.close(1013, 'subscriber fell behind');
      // Its buffer is full: the close frame may never get out.
      setTimeout(() => socket.terminate(), CLOSE_FRAME_GRACE_MS).unref();
    };
  }
  if (res && typeof (res as ServerResponse).destroy === 'function') {
    return () => (res as ServerResponse).destroy();
  }
  return undefined;
}
