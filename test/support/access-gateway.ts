import { type LiveGateway, type LiveGatewayOptions, openLiveGateway } from '@crh/gateway/testing/live';
import type { Logger } from '@crh/observability';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sseData } from './graphql-subscribers.ts';

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** An HTTP answer of the gateway: status, headers and the parsed body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: GraphQLAnswer;
}

/** A subscription as a client sees it: refused at once, or its results as they come. */
export interface Probe {
  /** SSE: the HTTP status when it was not 200; WebSocket: the close code when the socket closed. */
  refusal: { status?: number; closeCode?: number; body?: GraphQLAnswer } | null;
  results: GraphQLAnswer[];
  /** The first result (received or to come) that matches. */
  next(match?: (result: GraphQLAnswer) => boolean, timeoutMs?: number): Promise<GraphQLAnswer>;
  close(): void;
}

export interface AccessGateway extends LiveGateway {
  /** POST /graphql over the socket; `authorization` null sends none. */
  post(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<HttpAnswer>;
  sse(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<Probe>;
  ws(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<Probe>;
}

/**
 * The live gateway (its clock where the test sets it, tokens minted with a
 * local key), with the clients the access tests speak through; every probe
 * still open is closed with it.
 */
export async function openAccessGateway(
  options: Pick<LiveGatewayOptions, 'timeZone' | 'corsOrigins' | 'rateLimit' | 'logger' | 'auth'> & {
    now: Date;
  } = {
    now: new Date(),
  },
): Promise<AccessGateway> {
  const live = await openLiveGateway({
    ...options,
    // Mutations wait this long for the projector, which runs when `record` says.
    readYourWritesTimeoutMs: 50,
  });
  // Over the empty log: what is recorded from here on is news, announced on the feed.
  await live.projector.catchUp();
  const { gateway } = live;
  const open = new Set<Probe>();
  const track = (probe: Probe) => {
    open.add(probe);
    const close = probe.close;
    probe.close = () => {
      open.delete(probe);
      close();
    };
    return probe;
  };
  return {
    ...live,
    async post(authorization, query, variables = {}) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization === null ? {} : { authorization }),
        },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLAnswer,
      };
    },
    sse: async (authorization, query, variables = {}) =>
      track(await openSse(gateway.url, authorization, query, variables)),
    ws: async (authorization, query, variables = {}) =>
      track(await openWs(gateway.url, authorization, query, variables)),
    async close() {
      for (const probe of [...open]) probe.close();
      await live.close();
    },
  };
}

function collector(): Pick<Probe, 'results' | 'next'> & { push(result: GraphQLAnswer): void } {
  const results: GraphQLAnswer[] = [];
  const waiters = new Set<{ match: (r: GraphQLAnswer) => boolean; resolve: (r: GraphQLAnswer) => void }>();
  return {
    results,
    push(result) {
      results.push(result);
      for (const w of waiters) {
        if (w.match(result)) {
          waiters.delete(w);
          w.resolve(result);
        }
      }
    },
    next(match = () => true, timeoutMs = 10_000) {
      const found = results.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (r: GraphQLAnswer) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching result within ${timeoutMs} ms; got ${JSON.stringify(results)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** GraphQL over SSE (Yoga's distinct-connections mode), every result kept, errors included. */
export async function openSse(
  url: string,
  authorization: string | null,
  query: string,
  variables: Record<string, unknown>,
): Promise<Probe> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(authorization === null ? {} : { authorization }),
    },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const results = collector();
  const close = () => controller.abort();
  if (response.status !== 200 || !response.body) {
    return { ...results, refusal: { status: response.status, body: await response.json() }, close };
  }
  const body = response.body;
  void (async () => {
    try {
      for await (const data of sseData(body)) results.push(JSON.parse(data) as GraphQLAnswer);
    } catch {
      // aborted by close()
    }
  })();
  return { ...results, refusal: null, close };
}

/** graphql-ws over a real WebSocket; an operation's `error` message is kept as a result with errors. */
export async function openWs(
  url: string,
  authorization: string | null,
  query: string,
  variables: Record<string, unknown>,
): Promise<Probe> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // A refused socket is an expected answer here, not something to print.
    onNonLazyError: () => {},
    connectionParams: authorization === null ? {} : { authorization },
  });
  const results = collector();
  const close = () => void client.dispose();
  const opened = await new Promise<{ closeCode: number } | null>((resolve) => {
    client.on('connected', () => resolve(null));
    client.on('closed', (event) => resolve({ closeCode: (event as { code: number }).code }));
  });
  if (opened) return { ...results, refusal: opened, close };
  client.subscribe(
    { query, variables },
    {
      next: (result) => results.push(result as GraphQLAnswer),
      error: (error) =>
        results.push({
          errors: Array.isArray(error) ? error : [{ message: String(error) }],
        } as GraphQLAnswer),
      complete: () => {},
    },
  );
  return { ...results, refusal: null, close };
}

/** What a capturing logger kept: one entry per warn (or worse) line. */
export interface Logged {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

/** A logger keeping what the gateway logs at warn and above, to read back. */
export function capturingLogger(into: Logged[]): Logger {
  const keep = (level: string) => (fields: unknown, message?: string) => {
    if (typeof fields === 'object' && fields !== null && !Array.isArray(fields)) {
      into.push({ level, fields: fields as Record<string, unknown>, message: message ?? '' });
    }
  };
  const ignore = () => {};
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: keep('warn'),
    error: keep('error'),
    fatal: keep('fatal'),
  } as unknown as Logger;
}
