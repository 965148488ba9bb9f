export interface Measured {
  id: string;
  value: number;
}

export interface Outlier extends Measured {
  /** The median of all values: the norm. */
  norm: number;
  /** How far above the norm, in robust standard deviations (see below). */
  deviation: number;
}

/** 1.4826 x MAD estimates the standard deviation of normally distributed values. */
const MAD_TO_SD = 1.4826;

/**
 * The subjects furthest above the norm ("learn from the outliers, not the
 * averages"). The norm is the median; the distance is the robust z-score
 * (value - median) / (1.4826 x median absolute deviation), which a few
 * extreme values cannot inflate the way they inflate a mean and a standard
 * deviation. When more than half the values are equal (MAD 0) the mean
 * absolute deviation scales instead; when every value is equal nobody stands
 * out. Only values above the norm are outliers (every metric here is one
 * where more is worse), largest deviation first, then by id.
 */
export function outliersAbove(values: readonly Measured[], limit: number): Outlier[] {
  const all = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) all[i] = values[i]!.value;
  return outliersAmong(all, values, limit);
}

/**
 * outliersAbove when every subject's value is at hand but not every
 * subject: `values` holds each subject's value (in any order), `candidates`
 * at least the subjects with the `limit` largest values (ties at the cut:
 * the smallest ids), which are the only ones the ranking can put first. A
 * store can then send tens of thousands of numbers and a handful of rows.
 */
export function outliersAmong(
  values: ArrayLike<number>,
  candidates: readonly Measured[],
  limit: number,
): Outlier[] {
  // Typed arrays sort numbers natively, many times faster than a comparator
  // (plain loops: Float64Array.from and map with a callback are slow).
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) sorted[i] = values[i]!;
  sorted.sort();
  const norm = medianOfSorted(sorted);
  if (norm === null) return [];
  const absolute = new Float64Array(sorted.length);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) absolute[i] = Math.abs(sorted[i]! - norm);
  // The mean in the values' own order, as a sum over them would take it.
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]! - norm);
  const mad = medianOfSorted(absolute.sort())!;
  const scale = mad > 0 ? MAD_TO_SD * mad : sum / values.length;
  if (scale === 0 || limit <= 0) return [];
  // The deviation grows with the value, so the first `limit` of the order
  // below are among the `limit` largest values: only those are ranked.
  const firstAbove = sorted.findIndex((v) => v > norm);
  const above = firstAbove < 0 ? 0 : sorted.length - firstAbove;
  const least = above > limit ? sorted[sorted.length - limit]! : norm;
  return candidates
    .filter((v) => v.value > norm && v.value >= least)
    .map((v) => ({ ...v, norm, deviation: Math.round(((v.value - norm) / scale) * 100) / 100 }))
    .sort(
      (a, b) => b.deviation - a.deviation || b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, limit);
}

/** The domain's median (cadence.ts) of values already in ascending order. */
function medianOfSorted(sorted: Float64Array): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
