import type { RateLimit } from '@crh/auth';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { DEFAULT_HEALTH_WEIGHTS, DEFAULT_TIER_POLICY, type RuleContext } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { type GatewayServer, startGatewayServer } from '@crh/gateway/server';
import { createNotifyPublisher, createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger, type Logger } from '@crh/observability';
import { alertChanges, batchChanges, dayTurnChanges, type KeyedChange } from '@crh/read-models/projection';
import { createProjector, type Projector } from '@crh/read-models/runner';
import { quietLogger } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

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

export interface AccessGateway {
  database: PlatformTestDatabase;
  projector: Projector;
  gateway: GatewayServer;
  auth: TestAuth;
  rules: RuleContext;
  /** The clock of the projector and the gateway. */
  setNow(now: Date): void;
  /** Appends and projects; the projector publishes every change to the gateway's feed. */
  record(events: readonly AppendEvent[]): Promise<void>;
  /** POST /graphql over the socket; `authorization` null sends none. */
  post(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<HttpAnswer>;
  sse(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<Probe>;
  ws(authorization: string | null, query: string, variables?: Record<string, unknown>): Promise<Probe>;
  /** Resolves once the hub holds `n` subscriptions (graphql-ws acknowledges sockets, not operations). */
  subscriptions(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The gateway on a real socket over its own database, with a projector in
 * this process (the clock can move) publishing to the gateway through the
 * PostgreSQL NOTIFY feed, and tokens minted with a local key.
 */
export async function openAccessGateway(
  options: {
    now: Date;
    timeZone?: string;
    corsOrigins?: readonly string[];
    rateLimit?: RateLimit;
    logger?: Logger;
    /** The key its tokens are checked against; a fresh one by default. */
    auth?: TestAuth;
  } = { now: new Date() },
): Promise<AccessGateway> {
  let now = options.now;
  const rules: RuleContext = { timeZone: options.timeZone ?? 'UTC', policy: DEFAULT_TIER_POLICY };
  const database = await openPlatformTestDatabase();
  const feed = createNotifyPublisher({ pool: database.pool });
  const publish = (changes: KeyedChange[]) => feed.publish(changes);
  const projector = createProjector({
    store: database.store,
    pool: database.pool,
    logger: quietLogger,
    context: rules,
    batchSize: 100,
    now: () => now,
    onCommitted: (result) => publish(batchChanges(result)),
    onDayTurned: (turn) => publish(dayTurnChanges(turn)),
    onDeadlinesPassed: (alerts) => publish(alertChanges(alerts)),
  });
  await projector.catchUp();
  const auth = options.auth ?? (await openTestAuth());
  const gateway = await startGatewayServer({
    auth: auth.verifier,
    store: database.store,
    db: database.pool,
    logger: options.logger ?? createLogger('gateway-test', 'silent'),
    rules,
    healthWeights: DEFAULT_HEALTH_WEIGHTS,
    now: () => now,
    feed: createNotifySubscriber({ connectionString: database.url, logger: quietLogger }),
    host: '127.0.0.1',
    port: 0,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    // Mutations wait this long for the projector, which runs when `record` says.
    readYourWritesTimeoutMs: 50,
  });
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
    database,
    projector,
    gateway,
    auth,
    rules,
    setNow: (next) => {
      now = next;
    },
    async record(events) {
      const last = (await database.store.append(events))
        .map((r) => r.position)
        .sort()
        .at(-1);
      // Appends become readable once older transactions on the shared server end.
      while (last !== undefined && ((await projector.checkpoint()) ?? '') < last) {
        await projector.catchUp();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
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
    async subscriptions(n) {
      for (let i = 0; gateway.live.subscriptions() < n; i++) {
        if (i > 250) throw new Error(`the hub holds ${gateway.live.subscriptions()} subscriptions, not ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      for (const probe of [...open]) probe.close();
      await gateway.close();
      await database.close();
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
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (data) results.push(JSON.parse(data) as GraphQLAnswer);
        }
      }
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
