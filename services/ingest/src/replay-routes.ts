import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { type EventStore, replayEnd } from '@crh/event-store';
import { Router } from 'express';
import type { AccessControl } from './access-control.ts';
import { replayOptions } from './replay-params.ts';

/**
 * The replay API (docs/api/replay.md): `GET /v1/events` streams stored envelopes
 * as NDJSON in global order, up to the head as it is when the request
 * starts (the `crh-up-to` header names that position, so a client can
 * resume with `after` and the same end). Chunks are written as the store
 * reads them and the next read waits while the client's socket is full:
 * memory stays flat for any size, and a slow reader slows only itself.
 * `GET /v1/events/count` says how many events the same query gives.
 * Both are for analysts (events:replay), at the replay API's own rate limit.
 * On shutdown (`shutdown` aborted) a running replay stops between two
 * chunks, which are whole lines, and its connection is closed without the
 * chunked terminator: the client has whole lines only, sees an incomplete
 * response rather than a complete replay, and resumes with `after`.
 */
export function replayRoutes(store: EventStore, access: AccessControl, shutdown: AbortSignal): Router {
  const router = Router();
  const replayer = access.permit('events:replay', 'replay');

  router.get('/v1/events/count', replayer, async (req, res) => {
    const options = replayOptions(req.query as Record<string, unknown>);
    const upTo = await replayEnd(store, options.upTo);
    const events = upTo === null ? 0 : await store.countEvents({ ...options, upTo });
    res.json({ events, upTo });
  });

  router.get('/v1/events', replayer, async (req, res) => {
    const options = replayOptions(req.query as Record<string, unknown>);
    const upTo = await replayEnd(store, options.upTo);
    res.status(200).type('application/x-ndjson');
    if (upTo !== null) res.setHeader('crh-up-to', upTo);
    // No buffering proxies: lines should reach the client as they are read.
    res.setHeader('x-accel-buffering', 'no');
    if (upTo === null) {
      res.end();
      return;
    }
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      for await (const chunk of store.replay({ ...options, upTo })) {
        if (closed) break; // the client went away: stop reading the log
        if (shutdown.aborted) {
          // end() flushes what was written (whole lines) and then closes;
          // the response itself is never ended, so it reads as cut short.
          res.socket?.end();
          return;
        }
        if (!res.write(chunk)) await drainedOrClosed(res, shutdown);
      }
      res.end();
    } catch (error) {
      // Nothing sent yet: an ordinary problem+json answer.
      if (!res.headersSent) {
        res.removeHeader('crh-up-to');
        throw error;
      }
      // Lines are out: no problem+json now. Cutting the connection leaves
      // the chunked response unfinished, which clients report as an error
      // rather than the end of a complete replay.
      req.log?.error({ err: error }, 'replay failed mid-stream');
      res.destroy(error as Error);
    }
  });

  return router;
}

/**
 * Waits until the socket takes more or the client is gone. The wait that
 * loses is cancelled, so a long replay to a slow client does not pile up
 * listeners on the response (one pair per full socket, otherwise).
 */
async function drainedOrClosed(res: ServerResponse, shutdown: AbortSignal): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([
      once(res, 'drain', { signal: done.signal }),
      once(res, 'close', { signal: done.signal }),
      // A shutdown does not wait for a slow reader to take the next chunk.
      once(shutdown, 'abort', { signal: done.signal }),
    ]);
  } finally {
    done.abort();
  }
}
