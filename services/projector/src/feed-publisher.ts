import type { ChangeFeedPublisher } from '@crh/messaging';
import type { Logger } from '@crh/observability';
import type { KeyedChange } from '@crh/read-models/projection';
import { type Context, context, ROOT_CONTEXT } from '@opentelemetry/api';

/** Changes kept while the feed is away; past it the oldest are dropped (and counted). */
export const FEED_BACKLOG_LIMIT = 50_000;

export interface Publishing {
  /** Queues committed changes for the feed; resolves at once (the projection never waits for the broker). */
  (changes: KeyedChange[]): Promise<void>;
  /** Changes waiting to be published (a broker away makes it grow). */
  backlog(): number;
  /** Publishes what is queued if the feed takes it within 3 s (one try each), counts the rest as lost, stops. */
  close(): Promise<void>;
}

/**
 * Publishes after commit, in commit order, off the projection's path. A
 * failed publish is kept and tried again with backoff (1 s doubling to
 * 10 s), so a short broker outage loses nothing: the backlog goes out, in
 * order, when the broker is back. Only a backlog past `limit` changes, or
 * one left at shutdown, is dropped: the feed carries live notifications
 * (the read models hold the truth, and dashboards re-query when they
 * reconnect), so it is at most once, and every dropped change is logged and
 * counted (`onFailure`).
 */
export function publishing(
  feed: ChangeFeedPublisher,
  logger: Logger,
  onFailure: (changes: number) => void,
  options: { limit?: number; retryMs?: number; maxRetryMs?: number; closeWaitMs?: number } = {},
): Publishing {
  const limit = options.limit ?? FEED_BACKLOG_LIMIT;
  const retryMs = options.retryMs ?? 1_000;
  const maxRetryMs = options.maxRetryMs ?? 10_000;
  const closeWaitMs = options.closeWaitMs ?? 3_000;
  // One queue for batches, day turns and alerts: they commit in turn (the
  // projection clock) but run on two loops, and must not overtake each other.
  const queue: KeyedChange[][] = [];
  // The trace context each group was queued in (the batch span that
  // committed it): sent under it, whenever the drain gets to it, so the
  // feed links the gateway to that batch and not to whichever started the drain.
  const queuedIn = new WeakMap<KeyedChange[], Context>();
  let queued = 0;
  let draining: Promise<void> | undefined;
  let inFlight = false;
  let closing = false;
  let wake: (() => void) | undefined;

  const drop = (changes: KeyedChange[], why: string) => {
    onFailure(changes.length);
    logger.error({ changes: changes.length }, `change feed: ${why}; live subscribers miss these`);
  };

  async function drain(): Promise<void> {
    let failures = 0;
    try {
      while (queue.length > 0) {
        const changes = queue[0] as KeyedChange[];
        inFlight = true;
        try {
          await context.with(queuedIn.get(changes) ?? ROOT_CONTEXT, () => feed.publish(changes));
          inFlight = false;
          queue.shift();
          queued -= changes.length;
          if (failures > 0) logger.info({ backlog: queued }, 'change feed: publishing again');
          failures = 0;
        } catch (error) {
          inFlight = false;
          if (closing) {
            for (const left of queue.splice(0)) drop(left, 'not published at shutdown');
            queued = 0;
            break;
          }
          const pause = Math.min(maxRetryMs, retryMs * 2 ** failures);
          failures++;
          logger.error(
            { err: error, backlog: queued, retryInMs: pause },
            'change feed: publish failed; keeping the changes and trying again',
          );
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      }
    } finally {
      // In the same tick as the loop's last check: nothing queued meanwhile is stranded.
      draining = undefined;
    }
  }

  const publish = (changes: KeyedChange[]): Promise<void> => {
    if (changes.length === 0) return Promise.resolve();
    if (closing) {
      drop(changes, 'committed during shutdown');
      return Promise.resolve();
    }
    queue.push(changes);
    queuedIn.set(changes, context.active());
    queued += changes.length;
    // Over the bound: drop the oldest not being sent right now.
    while (queued > limit && queue.length > 1) {
      const [oldest] = queue.splice(inFlight ? 1 : 0, 1) as [KeyedChange[]];
      queued -= oldest.length;
      drop(oldest, `backlog over ${limit} changes, oldest dropped`);
    }
    draining ??= drain();
    return Promise.resolve();
  };
  return Object.assign(publish, {
    backlog: () => queued,
    async close() {
      closing = true;
      wake?.();
      // A broker that is away would hold shutdown for its client's retries.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([draining, new Promise((resolve) => (timer = setTimeout(resolve, closeWaitMs)))]);
      clearTimeout(timer);
      for (const left of queue.splice(inFlight ? 1 : 0)) drop(left, 'not published at shutdown');
      queued = 0;
    },
  });
}
