import { describe, expect, it } from 'vitest';
import { DEFAULT_CADENCE, isBeyondCadence, median, typicalGapDays } from './cadence.ts';

describe('adaptive cadence', () => {
  it('takes the median, the mean of the middle two for an even count', () => {
    expect(median([])).toBeNull();
    expect(median([9, 1, 5])).toBe(5);
    expect(median([7, 1, 3, 10])).toBe(5);
  });

  it('needs three gaps between distinct contact days before it names a rhythm', () => {
    expect(typicalGapDays(['2026-01-01', '2026-01-08', '2026-01-15'], DEFAULT_CADENCE)).toBeNull();
    expect(typicalGapDays(['2026-01-01', '2026-01-08', '2026-01-15', '2026-01-20'], DEFAULT_CADENCE)).toBe(7);
  });

  it('looks at the most recent gaps only, so an old rhythm fades', () => {
    // Gaps: 30, 30, 30, then 2, 2, 2 with a window of 3: the recent rhythm is 2 days.
    const days = [
      '2025-10-01',
      '2025-10-31',
      '2025-11-30',
      '2025-12-30',
      '2026-01-01',
      '2026-01-03',
      '2026-01-05',
    ];
    expect(typicalGapDays(days, { ...DEFAULT_CADENCE, gaps: 3 })).toBe(2);
    expect(typicalGapDays(days, { ...DEFAULT_CADENCE, gaps: 6 })).toBe(16); // (2 + 30) / 2
  });

  it('flags a silence from factor x the typical gap, and at least minExtraDays beyond it', () => {
    // Weekly rhythm: flagged from 21 days (3 x 7), which is also >= 7 + 7.
    expect(isBeyondCadence(20, 7, DEFAULT_CADENCE)).toBe(false);
    expect(isBeyondCadence(21, 7, DEFAULT_CADENCE)).toBe(true);
    // Every 2 days: 3 x 2 = 6 would be too jumpy; minExtraDays holds it to 9.
    expect(isBeyondCadence(8, 2, DEFAULT_CADENCE)).toBe(false);
    expect(isBeyondCadence(9, 2, DEFAULT_CADENCE)).toBe(true);
    expect(isBeyondCadence(500, null, DEFAULT_CADENCE)).toBe(false);
  });
});
