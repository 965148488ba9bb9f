import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.ts';

describe('createBackoff', () => {
  it('doubles up to the cap, each delay within the upper half of its step', () => {
    const low = createBackoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
    const high = createBackoff({ initialMs: 100, maxMs: 1_000, random: () => 0.999_999 });
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts over after a reset', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 1_000, random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it('jitters: delays of one step differ between retriers', () => {
    const delays = new Set(Array.from({ length: 20 }, () => createBackoff({ initialMs: 1_000 }).next()));
    expect(delays.size).toBeGreaterThan(1);
  });
});
