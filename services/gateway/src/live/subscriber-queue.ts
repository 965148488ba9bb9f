import { GraphQLError } from 'graphql';

/**
 * One subscriber's pending changes, as the async iterator a GraphQL
 * subscription returns. Both transports pull from it only as fast as the
 * client's socket takes what they write (SSE waits for `drain`, graphql-ws
 * for each send), so a client that stops reading leaves its changes here.
 * Bounded three ways, so it can never grow the gateway's memory: more than
 * `items` changes or `bytes` of them waiting, or changes waiting with none
 * taken for `stallMs`, end the subscription with an error; `cut` then closes
 * the client's connection (a stalled client would never read the error),
 * which releases what was held. Its client resubscribes and refetches.
 */
export interface SubscriberQueue<T> extends AsyncIterableIterator<T> {
  /** `bytes`: the change's size as sent (estimated once per change by the hub). */
  push(item: T, bytes?: number): void;
  /** Ends the stream cleanly after what it holds (the gateway shutting down). */
  complete(): void;
  /** Ends the stream with SubscriberFellBehind now, releasing what it holds, and cuts its connection. */
  drop(why: string): void;
}

export interface SubscriberLimits {
  /** Changes waiting (CRH_SUBSCRIBER_MAX_ITEMS). */
  items: number;
  /** Their estimated size in bytes (CRH_SUBSCRIBER_MAX_BYTES). */
  bytes: number;
  /** How long changes may wait with none taken (CRH_SUBSCRIBER_STALL_MS). */
  stallMs: number;
}

/** What a change costs when the hub does not say (status changes, alerts, KPIs: small). */
const DEFAULT_ITEM_BYTES = 512;

/** A coded GraphQL error, so Yoga's masking lets the client see why its stream ended. */
export class SubscriberFellBehind extends GraphQLError {
  constructor(why: string) {
    super(`the subscriber fell behind (${why}); subscribe again and refetch`, {
      extensions: { code: 'SUBSCRIBER_FELL_BEHIND' },
    });
    this.name = 'SubscriberFellBehind';
  }
}

export function subscriberQueue<T>(
  limits: SubscriberLimits,
  onClose: () => void,
  cut?: (error: SubscriberFellBehind) => void,
): SubscriberQueue<T> {
  const items: { item: T; bytes: number }[] = [];
  let bytes = 0;
  let waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | null = null;
  let error: Error | null = null;
  let done = false;
  let stall: NodeJS.Timeout | null = null;

  const finish = () => {
    if (stall) clearTimeout(stall);
    stall = null;
    if (done) return;
    done = true;
    onClose();
  };

  const fellBehind = (why: string, release: boolean) => {
    error = new SubscriberFellBehind(why);
    if (release) {
      items.length = 0;
      bytes = 0;
    }
    finish();
    cut?.(error as SubscriberFellBehind);
  };

  /** (Re)starts the stall clock while changes wait; progress is a change taken. */
  const watch = () => {
    if (stall) clearTimeout(stall);
    stall = null;
    if (items.length === 0 || done) return;
    stall = setTimeout(() => {
      // Nothing taken for stallMs: the client is not reading; what it holds goes now.
      fellBehind(`no change taken for ${limits.stallMs} ms`, true);
    }, limits.stallMs);
    stall.unref();
  };

  const take = (): IteratorResult<T> => {
    const head = items.shift() as { item: T; bytes: number };
    bytes -= head.bytes;
    watch();
    return { value: head.item, done: false };
  };

  const queue: SubscriberQueue<T> = {
    push(item, size = DEFAULT_ITEM_BYTES) {
      if (done || error) return;
      if (waiting) {
        const { resolve } = waiting;
        waiting = null;
        resolve({ value: item, done: false });
        return;
      }
      if (items.length >= limits.items || bytes + size > limits.bytes) {
        // What it holds is still delivered if it is read, then the error ends the stream.
        fellBehind(
          items.length >= limits.items
            ? `${limits.items} changes waiting`
            : `over ${limits.bytes} bytes waiting`,
          false,
        );
        return;
      }
      items.push({ item, bytes: size });
      bytes += size;
      if (items.length === 1) watch();
    },
    drop(why) {
      if (done || error) return;
      fellBehind(why, true);
      if (waiting && error) {
        // A waiting reader learns now (nothing is queued ahead of the error).
        const { reject } = waiting;
        waiting = null;
        reject(error);
        error = null;
      }
    },
    complete() {
      finish();
      if (items.length === 0) {
        waiting?.resolve({ value: undefined, done: true });
        waiting = null;
      }
    },
    next() {
      if (items.length > 0) return Promise.resolve(take());
      if (error) {
        const e = error;
        error = null;
        return Promise.reject(e);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      // A subscriber falls behind on its own only while items wait, so a
      // waiting next() gets the next item, or the error of drop().
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    return() {
      items.length = 0;
      bytes = 0;
      finish();
      waiting?.resolve({ value: undefined, done: true });
      waiting = null;
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(e: unknown) {
      finish();
      return Promise.reject(e);
    },
    [Symbol.asyncIterator]() {
      return queue;
    },
  };
  return queue;
}
