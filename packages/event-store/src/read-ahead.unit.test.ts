import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.ts';

describe('readAhead', () => {
  it('yields every item in order, prepared, with the next one already pulled while the caller works', async () => {
    const pulled: number[] = [];
    async function* source() {
      for (let i = 1; i <= 4; i++) {
        pulled.push(i);
        yield i;
      }
    }
    const seen: string[] = [];
    for await (const item of readAhead(source(), (n) => `#${n}`)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      // While we hold item n, item n + 1 has been read already (if there is one).
      expect(pulled.at(-1)).toBe(Math.min(Number(item.slice(1)) + 1, 4));
      seen.push(item);
    }
    expect(seen).toEqual(['#1', '#2', '#3', '#4']);
  });

  it('closes the source when the caller stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const item of readAhead(source(), (n) => n)) if (item === 2) break;
    expect(closed).toBe(true);
  });

  it('never leaves a failed read ahead unhandled while the caller works (the database went away)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      async function* source() {
        yield 1;
        throw new Error('terminating connection due to administrator command');
      }
      const seen: number[] = [];
      const reading = (async () => {
        for await (const item of readAhead(source(), (n) => n)) {
          // The read of item 2 fails meanwhile, with nothing awaiting it yet.
          await new Promise((resolve) => setTimeout(resolve, 50));
          seen.push(item);
        }
      })();
      await expect(reading).rejects.toThrow('administrator command');
      expect(seen).toEqual([1]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
