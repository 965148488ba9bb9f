/**
 * The change-feed port: the projector publishes what it committed, every
 * gateway instance receives all of it. Values are JSON; the feed never
 * looks inside them. Adapters: PostgreSQL LISTEN/NOTIFY (one database, the
 * embedded default) and a Kafka topic (the full stack).
 */

export interface FeedMessage {
  /** Ordering key (a customer id): messages with one key arrive in the order published. */
  key: string;
  /** Any JSON-serialisable value. */
  value: unknown;
}

export interface ChangeFeedPublisher {
  /**
   * Publishes in order. Resolves once the feed holds the messages; call it
   * again only after that, so one publisher's messages keep their order.
   */
  publish(messages: readonly FeedMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Receives published values in order; called once per delivered group, with
 * the W3C `traceparent`s of the publishes it came from (tracing on; empty
 * otherwise), which the receiver links its spans to.
 */
export type FeedListener = (values: unknown[], traceparents: readonly string[]) => void;

export interface ChangeFeedSubscriber {
  /**
   * Starts delivering to `listener`; resolves once listening, so a message
   * published after that is delivered. An adapter whose broker is away may
   * resolve before (see `state`) and deliver once it is back. A subscriber sees what was published
   * while it listened: the feed is live, not a history (the read models and
   * the event log are).
   */
  start(listener: FeedListener): Promise<void>;
  close(): Promise<void>;
  /**
   * `degraded` while the feed cannot deliver (its broker is away): the
   * adapter keeps trying in the background. Adapters that cannot tell omit it.
   */
  state?(): FeedState;
}

export type FeedState = 'up' | 'degraded';

/** What a feed adapter may log (a pino logger fits). */
export interface FeedLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
