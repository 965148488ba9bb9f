import { describe, expect, it } from 'vitest';
import { type ItemSource, subscriptionBatches } from './subscription-batches.ts';

/** A source whose items arrive when pushed, like a live subscription. */
function liveSource<T>(): ItemSource<T> & { push(item: T): void; end(): void } {
  const buffered: IteratorResult<T>[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  const deliver = (result: IteratorResult<T>) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(result);
    } else buffered.push(result);
  };
  return {
    next: () => {
      const result = buffered.shift();
      return result ? Promise.resolve(result) : new Promise((resolve) => (waiting = resolve));
    },
    push: (item) => deliver({ done: false, value: item }),
    end: () => deliver({ done: true, value: undefined }),
  };
}

describe('batches of a subscription', () => {
  it('fills batches from what is buffered, up to batchSize', async () => {
    const source = liveSource<number>();
    for (let i = 0; i < 7; i++) source.push(i);
    const controller = new AbortController();
    const batches: number[][] = [];
    for await (const batch of subscriptionBatches(source, {
      batchSize: 3,
      lingerMs: 20,
      signal: controller.signal,
    })) {
      batches.push(batch);
      if (batches.flat().length === 7) controller.abort();
    }
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('yields what arrived within the linger time without waiting for a full batch, and stops on abort', async () => {
    const source = liveSource<string>();
    const controller = new AbortController();
    const batches = subscriptionBatches(source, { batchSize: 100, lingerMs: 5, signal: controller.signal });
    setTimeout(() => source.push('late'), 20);
    expect((await batches.next()).value).toEqual(['late']);
    const pending = batches.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('fails when the source ends without an abort (a dropped subscription)', async () => {
    const source = liveSource<number>();
    source.push(1);
    source.end();
    const batches = subscriptionBatches(source, {
      batchSize: 10,
      lingerMs: 5,
      signal: new AbortController().signal,
    });
    expect((await batches.next()).value).toEqual([1]);
    await expect(batches.next()).rejects.toThrow(/ended without being aborted/);
  });
});
