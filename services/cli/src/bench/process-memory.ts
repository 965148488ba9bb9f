import { readFileSync } from 'node:fs';

/** A process's resident set in MiB, from /proc (Linux); null where there is none or it has gone. */
export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? null : Math.round(Number(kib) / 1024);
  } catch {
    return null;
  }
}

/**
 * The least-squares slope of `values` over `minutes`, in MiB per hour: how
 * fast memory grows once warm. A leak shows as a steady positive slope; a
 * flat process as a slope near zero whatever its garbage collector's saw-tooth.
 */
export function slopePerHour(minutes: readonly number[], values: readonly number[]): number {
  const n = minutes.length;
  if (n < 2) return 0;
  const mx = minutes.reduce((a, b) => a + b, 0) / n;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (minutes[i]! - mx) * (values[i]! - my);
    den += (minutes[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : Math.round((num / den) * 60 * 10) / 10;
}
