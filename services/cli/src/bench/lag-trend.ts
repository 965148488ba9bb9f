import { leastSquaresSlope } from './least-squares.ts';

/** One reading of the projection lag, `second` seconds after the load began. */
export interface LagSample {
  second: number;
  /** Events appended but not yet projected. */
  events: number;
  /** Age of the oldest of them, in seconds (0 when caught up). */
  seconds: number;
}

/**
 * What "keeps up" means (issue 18): at the end of the load the oldest
 * unprojected event is under 2 s old, and over the second half of the load
 * the lag does not grow: its least-squares slope is at most 0.02 s per
 * second (1.2 s a minute), which the rise and fall of the lag with each
 * batch stays well within while a projector slower than ingest, even by a
 * few percent, exceeds it.
 */
export const KEEPS_UP = { maxEndLagSeconds: 2, maxSlopeSecondsPerSecond: 0.02 } as const;

/**
 * flat: keeps up; growing: the lag rises through the second half (the
 * projector is slower than ingest); behind: it does not rise, but the end
 * lag is over the bound (a constant delay too long, or a spike at the end).
 */
export type LagVerdict = 'flat' | 'growing' | 'behind';

export interface LagTrend {
  /** The lag as the load stopped. */
  end: { events: number; seconds: number };
  /** The highest of the load's samples, each figure on its own. */
  max: { events: number; seconds: number };
  /** Least-squares slopes over the second half of the load. */
  slope: { secondsPerSecond: number; eventsPerSecond: number };
  verdict: LagVerdict;
}

/**
 * The trend of the lag sampled during a load of `loadSeconds` (samples at
 * or before its end; `end` the reading taken as it stopped, also counted in
 * the second half).
 */
export function lagTrend(samples: readonly LagSample[], end: LagSample, loadSeconds: number): LagTrend {
  const during = [...samples.filter((s) => s.second < end.second), end];
  const secondHalf = during.filter((s) => s.second >= loadSeconds / 2);
  const xs = secondHalf.map((s) => s.second);
  const secondsPerSecond = leastSquaresSlope(
    xs,
    secondHalf.map((s) => s.seconds),
  );
  const eventsPerSecond = leastSquaresSlope(
    xs,
    secondHalf.map((s) => s.events),
  );
  const verdict: LagVerdict =
    secondsPerSecond > KEEPS_UP.maxSlopeSecondsPerSecond
      ? 'growing'
      : end.seconds < KEEPS_UP.maxEndLagSeconds
        ? 'flat'
        : 'behind';
  return {
    end: { events: end.events, seconds: end.seconds },
    max: {
      events: Math.max(...during.map((s) => s.events)),
      seconds: Math.max(...during.map((s) => s.seconds)),
    },
    slope: { secondsPerSecond, eventsPerSecond },
    verdict,
  };
}
