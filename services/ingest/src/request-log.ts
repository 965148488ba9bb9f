import { randomUUID } from 'node:crypto';
import type { Logger } from '@crh/observability';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';

const REDACTED = '[redacted]';

/**
 * Logs every request (pino, JSON) with a request id: the client's
 * `x-request-id` of at most 128 characters, else a new UUID, echoed in the
 * answer. Tokens never reach the log: the Authorization header and an
 * `access_token` query parameter (refused, but still sent) are redacted.
 */
export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && incoming.length <= 128 ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    serializers: {
      // Gets pino's serialized copy; its headers and query are the request's own objects, so copy, never change them.
      req: (req: { headers?: Record<string, unknown>; url?: string; query?: Record<string, unknown> }) => {
        if (req.headers?.authorization !== undefined) {
          req.headers = { ...req.headers, authorization: REDACTED };
        }
        if (req.query?.access_token !== undefined) req.query = { ...req.query, access_token: REDACTED };
        if (req.url?.includes('access_token')) req.url = redactedUrl(req.url);
        return req;
      },
    },
  });
}

function redactedUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  if (!params.has('access_token')) return url;
  params.set('access_token', REDACTED);
  return `${url.slice(0, query)}?${params}`;
}
