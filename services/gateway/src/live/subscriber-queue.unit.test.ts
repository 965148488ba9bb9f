import { describe, expect, it } from 'vitest';
import { SubscriberFellBehind, subscriberQueue } from './subscriber-queue.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a subscriber's queue", () => {
  it('cuts a subscriber that takes nothing for stallMs, releasing what it held', async () => {
    const cuts: SubscriberFellBehind[] = [];
    let closed = 0;
    const queue = subscriberQueue<number>(
      { items: 100, bytes: 1e6, stallMs: 60 },
      () => closed++,
      (e) => {
        cuts.push(e);
      },
    );
    queue.push(1);
    queue.push(2);
    await wait(30);
    // Progress restarts the clock.
    expect((await queue.next()).value).toBe(1);
    await wait(40);
    expect(cuts).toHaveLength(0);
    await wait(60);
    expect(cuts).toHaveLength(1);
    expect(cuts[0]?.extensions.code).toBe('SUBSCRIBER_FELL_BEHIND');
    expect(closed).toBe(1);
    // What it held is gone: the next read is the error, not item 2.
    await expect(queue.next()).rejects.toBeInstanceOf(SubscriberFellBehind);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('never cuts a subscriber that waits with nothing queued', async () => {
    const cuts: unknown[] = [];
    const queue = subscriberQueue<number>(
      { items: 100, bytes: 1e6, stallMs: 30 },
      () => {},
      (e) => {
        cuts.push(e);
      },
    );
    const next = queue.next();
    await wait(60);
    queue.push(7);
    expect((await next).value).toBe(7);
    await wait(60);
    expect(cuts).toHaveLength(0);
    await queue.return?.();
  });

  it('cuts a subscriber past its byte bound', async () => {
    const cuts: SubscriberFellBehind[] = [];
    const queue = subscriberQueue<string>(
      { items: 100, bytes: 1_000, stallMs: 60_000 },
      () => {},
      (e) => {
        cuts.push(e);
      },
    );
    queue.push('a', 400);
    queue.push('b', 400);
    expect(cuts).toHaveLength(0);
    queue.push('c', 400);
    expect(cuts[0]?.message).toMatch(/over 1000 bytes/);
    expect((await queue.next()).value).toBe('a');
    expect((await queue.next()).value).toBe('b');
    await expect(queue.next()).rejects.toBeInstanceOf(SubscriberFellBehind);
  });

  it('completes after what it holds when the gateway closes it', async () => {
    const queue = subscriberQueue<number>({ items: 100, bytes: 1e6, stallMs: 60_000 }, () => {});
    queue.push(1);
    queue.complete();
    queue.push(2);
    expect((await queue.next()).value).toBe(1);
    expect((await queue.next()).done).toBe(true);
    const waiting = subscriberQueue<number>({ items: 100, bytes: 1e6, stallMs: 60_000 }, () => {});
    const next = waiting.next();
    waiting.complete();
    expect((await next).done).toBe(true);
  });

  it('drops a subscriber on request, rejecting a waiting read', async () => {
    const cuts: unknown[] = [];
    const queue = subscriberQueue<number>(
      { items: 100, bytes: 1e6, stallMs: 60_000 },
      () => {},
      (e) => {
        cuts.push(e);
      },
    );
    const next = queue.next();
    queue.drop('the gateway fell behind');
    await expect(next).rejects.toBeInstanceOf(SubscriberFellBehind);
    expect(cuts).toHaveLength(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});
