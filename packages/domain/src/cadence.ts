import type { LocalDate } from './zoned-date.ts';
import { daysBetween } from './zoned-date.ts';

/**
 * Adaptive cadence: each relationship's own rhythm of contact, so a customer
 * called every few days is flagged when it falls silent long before its
 * tier's threshold. Configured with CRH_CADENCE_* (defaults below).
 */
export interface CadencePolicy {
  /** How many of the most recent gaps between contact days the typical gap is taken over (3-15). */
  gaps: number;
  /** Silence counts as far beyond the rhythm from this multiple of the typical gap ... */
  factor: number;
  /** ... and at least this many days more than the typical gap. */
  minExtraDays: number;
}

export const DEFAULT_CADENCE: CadencePolicy = Object.freeze({ gaps: 8, factor: 3, minExtraDays: 7 });

/** Fewer gaps than this say nothing about a rhythm. */
export const MIN_CADENCE_GAPS = 3;

/** Median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The typical gap in days between contacts: the median of the last `gaps`
 * gaps between consecutive distinct contact days (onboarding included).
 * A median, not a mean, so one long holiday or one busy week does not move it.
 */
export function typicalGapDays(contactDays: readonly LocalDate[], policy: CadencePolicy): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < contactDays.length; i++) gaps.push(daysBetween(contactDays[i - 1]!, contactDays[i]!));
  const recent = gaps.slice(-policy.gaps);
  return recent.length >= MIN_CADENCE_GAPS ? median(recent) : null;
}

/** True when the current silence is far beyond the relationship's own rhythm. */
export function isBeyondCadence(
  daysSinceContact: number,
  typicalGap: number | null,
  policy: CadencePolicy,
): boolean {
  return (
    typicalGap !== null &&
    daysSinceContact >= policy.factor * typicalGap &&
    daysSinceContact >= typicalGap + policy.minExtraDays
  );
}
