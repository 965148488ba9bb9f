/**
 * Delays between retries after a fault: exponential from `initialMs` up to
 * `maxMs`, each drawn at random from its upper half ("equal jitter"), so
 * that services which lost the database together do not all come back at
 * the same instant, yet none retries sooner than half its step.
 */
export interface Backoff {
  /** The delay before the next attempt; each call doubles the step up to the cap. */
  next(): number;
  /** After a success: the next fault starts from `initialMs` again. */
  reset(): void;
}

export function createBackoff(
  options: { initialMs?: number; maxMs?: number; random?: () => number } = {},
): Backoff {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  let step = initial;
  return {
    next() {
      const ceiling = Math.min(step, max);
      step = Math.min(step * 2, max);
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    },
    reset() {
      step = initial;
    },
  };
}
