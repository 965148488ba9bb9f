import { GraphQLError } from 'graphql';

/**
 * One subscriber's pending changes, as the async iterator a GraphQL
 * subscription returns. Bounded: a subscriber that cannot keep up (a stalled
 * connection) gets an error after `limit` undelivered changes instead of
 * growing the gateway's memory; its client resubscribes and refetches.
 */
export interface SubscriberQueue<T> extends AsyncIterableIterator<T> {
  push(item: T): void;
}

/** A coded GraphQL error, so Yoga's masking lets the client see why its stream ended. */
export class SubscriberFellBehind extends GraphQLError {
  constructor(limit: number) {
    super(`the subscriber fell ${limit} changes behind; subscribe again and refetch`, {
      extensions: { code: 'SUBSCRIBER_FELL_BEHIND' },
    });
    this.name = 'SubscriberFellBehind';
  }
}

export function subscriberQueue<T>(limit: number, onClose: () => void): SubscriberQueue<T> {
  const items: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let error: Error | null = null;
  let done = false;

  const finish = () => {
    if (done) return;
    done = true;
    onClose();
  };

  const queue: SubscriberQueue<T> = {
    push(item) {
      if (done || error) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: item, done: false });
        return;
      }
      if (items.length >= limit) {
        // What it holds is still delivered, then the error ends the stream.
        error = new SubscriberFellBehind(limit);
        finish();
        return;
      }
      items.push(item);
    },
    next() {
      if (items.length > 0) return Promise.resolve({ value: items.shift() as T, done: false });
      if (error) {
        const e = error;
        error = null;
        return Promise.reject(e);
      }
      if (done) return Promise.resolve({ value: undefined, done: true });
      // A subscriber falls behind only while items wait, so a waiting
      // next() is never rejected: it gets the next item.
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      items.length = 0;
      finish();
      waiting?.({ value: undefined, done: true });
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
