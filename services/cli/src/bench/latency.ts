/** Latency figures of one measured operation, in milliseconds. */
export interface Latency {
  name: string;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Mean rows the operation returned (list queries). */
  meanRows: number | null;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export function latencyOf(name: string, times: readonly number[], rows: readonly number[] = []): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    name,
    samples: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1)!),
    meanRows: rows.length === 0 ? null : Math.round(rows.reduce((a, b) => a + b, 0) / rows.length),
  };
}
