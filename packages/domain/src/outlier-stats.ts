import { median } from './cadence.ts';

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
  const norm = median(values.map((v) => v.value));
  if (norm === null) return [];
  const absolute = values.map((v) => Math.abs(v.value - norm));
  const mad = median(absolute)!;
  const scale = mad > 0 ? MAD_TO_SD * mad : absolute.reduce((a, b) => a + b, 0) / values.length;
  if (scale === 0) return [];
  return values
    .filter((v) => v.value > norm)
    .map((v) => ({ ...v, norm, deviation: Math.round(((v.value - norm) / scale) * 100) / 100 }))
    .sort(
      (a, b) => b.deviation - a.deviation || b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, limit);
}
