import type { Server, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { problemTypes, sendProblem } from './problem-details.ts';

/**
 * Ingest's half of a graceful shutdown. Once `begin` is called: a request
 * arriving on a kept-alive connection is refused (503, `Connection: close`,
 * nothing stored) instead of being served while the process is going away;
 * requests already in flight finish and answer with `Connection: close`, so
 * the client opens its next connection elsewhere; running replays see
 * `signal` aborted and stop between two chunks (whole lines).
 */
export interface Drain {
  readonly draining: boolean;
  /** Aborted when draining begins: long responses (replays) end at their next boundary. */
  readonly signal: AbortSignal;
  begin(): void;
  /** First in the app: tracks responses in flight, refuses requests that arrive while draining. */
  middleware: RequestHandler;
}

export function createDrain(): Drain {
  const controller = new AbortController();
  const inFlight = new Set<ServerResponse>();
  return {
    get draining() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
    begin() {
      if (controller.signal.aborted) return;
      controller.abort();
      // Node closes a connection after a response that says so.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    },
    middleware(_req, res, next) {
      if (controller.signal.aborted) {
        res.setHeader('connection', 'close');
        res.setHeader('retry-after', '1');
        sendProblem(res, {
          type: problemTypes.shuttingDown,
          title: 'Shutting down',
          status: 503,
          detail: 'this ingest is shutting down; nothing was stored: send the request again',
        });
        return;
      }
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
      next();
    },
  };
}

/**
 * Stops `server` for a shutdown: no new connections, idle kept-alive ones
 * closed now, busy ones once their response is out (they say
 * `Connection: close`). Connections still open after `graceMs` (a client
 * that stopped reading) are cut, so the process exits before the
 * orchestrator's kill.
 */
export async function closeServer(server: Server, drain: Drain, graceMs: number): Promise<void> {
  drain.begin();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
