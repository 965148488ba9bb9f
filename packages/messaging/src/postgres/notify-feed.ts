import pg, { type Pool } from 'pg';
import { activeTraceparent } from '../feed-trace-context.ts';
import { packPayloads } from '../payload-packing.ts';
import type {
  ChangeFeedPublisher,
  ChangeFeedSubscriber,
  FeedListener,
  FeedLogger,
  FeedMessage,
} from '../port.ts';

export const DEFAULT_CHANNEL = 'crh_changes';

// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; room for the
// sequence prefix.
const PAYLOAD_LIMIT = 7_900;

/**
 * Publishes with NOTIFY. All payloads of one publish go in one statement,
 * so they are delivered together and in order when it commits, after the
 * payloads of earlier publishes.
 */
export function createNotifyPublisher(options: { pool: Pool; channel?: string }): ChangeFeedPublisher {
  const channel = options.channel ?? DEFAULT_CHANNEL;
  let sequence = 0;
  return {
    async publish(messages: readonly FeedMessage[]) {
      if (messages.length === 0) return;
      // The prefix makes every payload distinct: PostgreSQL folds identical
      // notifications of one transaction into one. With tracing on it also
      // carries the publisher's traceparent (`<n>:<traceparent> <json>`);
      // a reader that only skips to the first space reads either form.
      const traceparent = activeTraceparent();
      const payloads = packPayloads(
        messages.map((m) => m.value),
        PAYLOAD_LIMIT - (traceparent ? traceparent.length + 1 : 0),
      ).map((p) => `${++sequence}${traceparent ? `:${traceparent}` : ''} ${p}`);
      // One JSON array rather than a text[]: node-pg escapes every element of
      // an array parameter character by character, and then measures the
      // joined string; JSON.stringify is native (measured: the escaping was
      // about a tenth of a projector's CPU when it published a backlog).
      await options.pool.query(
        'select pg_notify($1, p) from json_array_elements_text($2::json) with ordinality as t(p, n) order by n',
        [channel, JSON.stringify(payloads)],
      );
    },
    async close() {},
  };
}

/** Reconnects: 0.25 s doubling up to 10 s, each drawn from the upper half of its step (jitter). */
const RECONNECT_INITIAL_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Listens on its own connection (a pooled one would lose its LISTEN when
 * released). A lost connection (server restart, failover, terminated
 * backend) is reopened with backoff and LISTENs again; what was published
 * meanwhile is missed and logged: live subscribers refetch state from the
 * read models.
 */
export function createNotifySubscriber(options: {
  connectionString: string;
  channel?: string;
  logger: FeedLogger;
  /** Opening the connection fails after this long; default 5 s. */
  connectTimeoutMs?: number;
}): ChangeFeedSubscriber {
  const channel = options.channel ?? DEFAULT_CHANNEL;
  let client: pg.Client | null = null;
  let closed = false;
  let listener: FeedListener = () => {};

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: 'crh-feed',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
    });
    next.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      const space = message.payload.indexOf(' ');
      const json = message.payload.slice(space + 1);
      const traceparent = message.payload.slice(0, Math.max(space, 0)).split(':')[1];
      let values: unknown[];
      try {
        values = JSON.parse(json) as unknown[];
      } catch (error) {
        options.logger.error({ err: error }, 'change feed: unreadable notification skipped');
        return;
      }
      listener(values, traceparent ? [traceparent] : []);
    });
    next.on('error', (error) => {
      options.logger.warn({ err: error }, 'change feed: connection lost; reconnecting');
      void reconnect(next);
    });
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      // Closed while connecting: this connection must not outlive it.
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  }

  async function reconnect(failed: pg.Client): Promise<void> {
    if (client !== failed) return;
    client = null;
    await failed.end().catch(() => undefined);
    let step = RECONNECT_INITIAL_MS;
    while (!closed && client === null) {
      const delay = step / 2 + Math.random() * (step / 2);
      step = Math.min(step * 2, RECONNECT_MAX_MS);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (closed) return;
      try {
        await connect();
        options.logger.warn({}, 'change feed: listening again; changes published meanwhile were missed');
      } catch (error) {
        options.logger.warn({ err: error }, 'change feed: reconnect failed; retrying');
      }
    }
  }

  return {
    async start(onValues) {
      listener = onValues;
      await connect();
    },
    async close() {
      closed = true;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
