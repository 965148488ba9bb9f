/**
 * NPS buckets on the 0-10 scale: promoter from 9, passive from 7, detractor
 * below (0-6). SQL that counts buckets builds on `npsBucketSql` (read
 * models), which takes these bounds.
 */
export const NPS_PROMOTER_FROM = 9;
export const NPS_PASSIVE_FROM = 7;

export const NPS_BUCKETS = ['promoter', 'passive', 'detractor'] as const;
export type NpsBucket = (typeof NPS_BUCKETS)[number];

export const npsBucket = (score: number): NpsBucket =>
  score >= NPS_PROMOTER_FROM ? 'promoter' : score >= NPS_PASSIVE_FROM ? 'passive' : 'detractor';

/**
 * NPS over a set of answers: 100 x (promoters - detractors) / answers, one
 * decimal, halves away from zero; null without answers.
 */
export function npsOf(promoters: number, detractors: number, answers: number): number | null {
  if (answers === 0) return null;
  // Half away from zero, as for positive values: -12.25 shows as -12.3.
  const tenths = Math.round((1000 * Math.abs(promoters - detractors)) / answers);
  return (Math.sign(promoters - detractors) * tenths) / 10;
}
