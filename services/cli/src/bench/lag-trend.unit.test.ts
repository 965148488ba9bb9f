import { describe, expect, it } from 'vitest';
import { KEEPS_UP, type LagSample, lagTrend } from './lag-trend.ts';
import { leastSquaresSlope } from './least-squares.ts';

/** One sample a second for `seconds` seconds, the lag given by `at`. */
const series = (seconds: number, at: (second: number) => { events: number; seconds: number }) =>
  Array.from({ length: seconds + 1 }, (_, second): LagSample => ({ second, ...at(second) }));

describe('leastSquaresSlope', () => {
  it('is the slope of a straight line, and of the line through noise around it', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [5, 7, 9, 11])).toBe(2);
    expect(leastSquaresSlope([0, 1, 2, 3, 4, 5], [0, 2, 0, 2, 0, 2])).toBeCloseTo(6 / 35, 10);
  });

  it('is 0 without two distinct points', () => {
    expect(leastSquaresSlope([], [])).toBe(0);
    expect(leastSquaresSlope([3], [9])).toBe(0);
    expect(leastSquaresSlope([3, 3], [1, 9])).toBe(0);
  });
});

describe('lagTrend', () => {
  it('calls a lag that rises and falls with each batch, under 2 s at the end, flat', () => {
    // A batch every 3 s: the lag saws between 0 and 1.5 s.
    const samples = series(60, (s) => ({ events: ((s + 1) % 3) * 10_000, seconds: ((s + 1) % 3) * 0.75 }));
    const trend = lagTrend(samples.slice(0, -1), samples.at(-1)!, 60);
    expect(trend.verdict).toBe('flat');
    expect(Math.abs(trend.slope.secondsPerSecond)).toBeLessThan(KEEPS_UP.maxSlopeSecondsPerSecond);
    expect(trend.max).toEqual({ events: 20_000, seconds: 1.5 });
    expect(trend.end).toEqual({ events: 10_000, seconds: 0.75 });
  });

  it('calls a lag that grows through the second half growing, whatever the first half did', () => {
    // Behind by 5,000 events/s: 0.3 s more lag each second, from a start where it kept up.
    const samples = series(60, (s) => ({
      events: Math.max(0, s - 30) * 5_000,
      seconds: Math.max(0, s - 30) * 0.3,
    }));
    const trend = lagTrend(samples.slice(0, -1), samples.at(-1)!, 60);
    expect(trend.verdict).toBe('growing');
    expect(trend.slope.secondsPerSecond).toBeCloseTo(0.3, 5);
    expect(trend.slope.eventsPerSecond).toBeCloseTo(5_000, 3);
  });

  it('calls a slow growth just over the bound growing even with the end lag under 2 s', () => {
    const samples = series(60, (s) => ({ events: s * 100, seconds: s * 0.025 }));
    const trend = lagTrend(samples.slice(0, -1), samples.at(-1)!, 60);
    expect(trend.end.seconds).toBe(1.5);
    expect(trend.verdict).toBe('growing');
  });

  it('calls a steady lag over 2 s behind, and a lag shrinking from a spike flat once under 2 s', () => {
    const steady = series(60, () => ({ events: 40_000, seconds: 3 }));
    expect(lagTrend(steady.slice(0, -1), steady.at(-1)!, 60).verdict).toBe('behind');
    const recovering = series(60, (s) => ({ events: Math.max(0, 60 - s) * 500, seconds: (60 - s) / 20 }));
    expect(lagTrend(recovering.slice(0, -1), recovering.at(-1)!, 60).verdict).toBe('flat');
  });

  it('counts the reading taken as the load stopped, and no sample after it', () => {
    const samples = series(10, () => ({ events: 0, seconds: 0 }));
    // Taken after the load stopped at 9.5 s: the drain's, not the load's.
    samples.push({ second: 11, events: 99_000, seconds: 9 });
    const trend = lagTrend(samples, { second: 9.5, events: 30_000, seconds: 2.5 }, 9.5);
    expect(trend.end).toEqual({ events: 30_000, seconds: 2.5 });
    expect(trend.max).toEqual({ events: 30_000, seconds: 2.5 });
    expect(trend.verdict).toBe('growing');
  });
});
