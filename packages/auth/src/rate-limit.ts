import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimit {
  /** The rate as configured, e.g. `1200/min`. */
  readonly rate: string;
  /** Counts one request of `key` (a token's sub). */
  take(key: string): Promise<RateLimitVerdict>;
}

const SECONDS = { sec: 1, min: 60, hour: 3600 } as const;

/** A per-key limit of `N/sec`, `N/min` or `N/hour`, counted in this process. */
export function createRateLimit(rate: string): RateLimit {
  const match = /^(\d+)\/(sec|min|hour)$/.exec(rate);
  if (!match) throw new Error(`a rate looks like 1200/min, not ${rate}`);
  const limiter = new RateLimiterMemory({
    points: Number(match[1]),
    duration: SECONDS[match[2] as keyof typeof SECONDS],
  });
  return {
    rate,
    async take(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
      }
    },
  };
}
