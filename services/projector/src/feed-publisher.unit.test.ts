import type { ChangeFeedPublisher, FeedMessage } from '@crh/messaging';
import type { Logger } from '@crh/observability';
import type { KeyedChange } from '@crh/read-models/projection';
import { describe, expect, it } from 'vitest';
import { publishing } from './feed-publisher.ts';

const silent = { info() {}, warn() {}, error() {} } as unknown as Logger;
const change = (n: number): KeyedChange => ({
  key: `c-${n % 3}`,
  value: { kind: 'kpis', scopes: [String(n)] },
});
const numbers = (messages: readonly FeedMessage[]) =>
  messages.map((m) => Number((m.value as { scopes: string[] }).scopes[0]));

/** A feed whose broker is away until `up` is set. */
function flakyFeed() {
  const feed = {
    up: false,
    attempts: 0,
    published: [] as number[],
    async publish(messages: readonly FeedMessage[]) {
      feed.attempts++;
      await new Promise((r) => setTimeout(r, 5));
      if (!feed.up) throw new Error('broker away');
      feed.published.push(...numbers(messages));
    },
    async close() {},
  };
  return feed satisfies ChangeFeedPublisher;
}

const waitUntil = async (done: () => boolean) => {
  for (let i = 0; !done(); i++) {
    if (i > 400) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('publishing committed changes to a feed whose broker goes away', () => {
  it('never holds the projection, keeps what failed and sends it in order once the broker is back', async () => {
    const feed = flakyFeed();
    let lost = 0;
    const publish = publishing(feed, silent, (n) => (lost += n), { retryMs: 5, maxRetryMs: 20 });
    for (let n = 0; n < 10; n++) {
      const started = Date.now();
      await publish([change(n)]);
      expect(Date.now() - started).toBeLessThan(5); // queued, not sent
    }
    await waitUntil(() => feed.attempts >= 3);
    expect(feed.published).toEqual([]);
    expect(publish.backlog()).toBe(10);
    feed.up = true;
    await publish([change(10)]);
    await waitUntil(() => feed.published.length === 11);
    expect(feed.published).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(lost).toBe(0);
    expect(publish.backlog()).toBe(0);
    await publish.close();
  });

  it('drops the oldest past its bound, and what is left at shutdown, counting each', async () => {
    const feed = flakyFeed();
    let lost = 0;
    const publish = publishing(feed, silent, (n) => (lost += n), {
      limit: 5,
      retryMs: 5,
      maxRetryMs: 5,
      closeWaitMs: 50,
    });
    for (let n = 0; n < 8; n++) await publish([change(n)]);
    expect(lost).toBe(3);
    feed.up = true;
    await waitUntil(() => feed.published.length === 5);
    // The newest are kept, in order (the oldest may have been in flight when the bound was hit).
    expect(feed.published.slice(-4)).toEqual([4, 5, 6, 7]);
    expect([...feed.published].sort((a, b) => a - b)).toEqual(feed.published);
    feed.up = false;
    for (let n = 8; n < 10; n++) await publish([change(n)]);
    await publish.close();
    expect(lost).toBe(5);
    await publish([change(10)]); // after close: counted, not sent
    expect(lost).toBe(6);
  });
});
