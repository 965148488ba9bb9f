import { readFileSync } from 'node:fs';
import { leastSquaresSlope } from './least-squares.ts';

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
  return Math.round(leastSquaresSlope(minutes, values) * 60 * 10) / 10;
}
