import { DEFAULT_CADENCE } from './cadence.ts';
import { parseNamedNumbers } from './named-numbers.ts';
import { type NpsBucket, npsBucket } from './nps.ts';
import { isRecent, RECENT_DAYS } from './recent-window.ts';
import type { RuleContext } from './relationship-snapshot.ts';
import { overduePromiseCount, type RelationshipState } from './relationship-state.ts';

/**
 * The health score: 100 minus what worries, plus what pleases, clamped to
 * 0-100, with every factor's points so an account manager sees why.
 * Weights are the most points a factor can move (CRH_HEALTH_WEIGHTS).
 */
export interface HealthWeights {
  /** Silence against the tier's NEGLECTED threshold: the full weight at the threshold. */
  silence: number;
  /** Silence against the relationship's own rhythm: the full weight at factor x the typical gap. */
  cadence: number;
  /** Half the weight per open complaint. */
  complaints: number;
  /** Half the weight per overdue promise. */
  promises: number;
  /** A recent detractor answer costs the weight, a passive a third, a promoter adds a third. */
  nps: number;
  /** A recent delight moment adds the weight. */
  delight: number;
}

export const DEFAULT_HEALTH_WEIGHTS: HealthWeights = Object.freeze({
  silence: 40,
  cadence: 10,
  complaints: 20,
  promises: 20,
  nps: 15,
  delight: 10,
});

export const HEALTH_FACTORS = [
  'SILENCE',
  'CADENCE',
  'COMPLAINTS',
  'PROMISES',
  'NPS',
  'DELIGHT',
  'CHURNED',
] as const;
export type HealthFactorKind = (typeof HEALTH_FACTORS)[number];

export const HEALTH_BANDS = ['HEALTHY', 'WATCH', 'AT_RISK'] as const;
export type HealthBand = (typeof HEALTH_BANDS)[number];

export interface HealthFactor {
  factor: HealthFactorKind;
  /** Points this factor adds (positive) or takes off (negative), one decimal. */
  points: number;
  detail: string;
}

export interface HealthScore {
  score: number;
  band: HealthBand;
  factors: HealthFactor[];
}

const round1 = (n: number) => Math.round(n * 10) / 10 || 0; // no -0
const clamp01 = (n: number) => Math.min(1, Math.max(0, n));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Score of a relationship's state; `asOf` is the instant promises are judged at. */
export function healthScore(
  state: RelationshipState,
  asOf: string,
  context: RuleContext,
  weights: HealthWeights = DEFAULT_HEALTH_WEIGHTS,
): HealthScore {
  if (state.status === 'CHURNED') {
    return {
      score: 0,
      band: 'AT_RISK',
      factors: [{ factor: 'CHURNED', points: -100, detail: 'the customer has churned' }],
    };
  }
  const factors: HealthFactor[] = [silence(state, context, weights), cadence(state, context, weights)];
  factors.push({
    factor: 'COMPLAINTS',
    points: round1(-Math.min(weights.complaints, (state.openComplaints * weights.complaints) / 2)),
    detail: plural(state.openComplaints, 'open complaint'),
  });
  const overdue = overduePromiseCount(state, asOf);
  factors.push({
    factor: 'PROMISES',
    points: round1(-Math.min(weights.promises, (overdue * weights.promises) / 2)),
    detail: plural(overdue, 'overdue promise'),
  });
  factors.push(nps(state, context, weights));
  const delighted = isRecent(state.lastDelightAt, state.day, context.timeZone);
  factors.push({
    factor: 'DELIGHT',
    points: delighted ? weights.delight : 0,
    detail: delighted
      ? `delight moment on ${state.lastDelightAt}`
      : `no delight moment in the last ${RECENT_DAYS} days`,
  });
  const total = factors.reduce((sum, f) => sum + f.points, 100);
  const score = Math.round(Math.min(100, Math.max(0, total)));
  return { score, band: score >= 70 ? 'HEALTHY' : score >= 40 ? 'WATCH' : 'AT_RISK', factors };
}

function silence(state: RelationshipState, context: RuleContext, weights: HealthWeights): HealthFactor {
  const { neglectedAfter } = context.policy[state.tier];
  return {
    factor: 'SILENCE',
    points: round1(-weights.silence * clamp01(state.daysSinceContact / neglectedAfter)),
    detail: `${plural(state.daysSinceContact, 'day')} without contact; ${state.tier} turns NEGLECTED at ${neglectedAfter}`,
  };
}

function cadence(state: RelationshipState, context: RuleContext, weights: HealthWeights): HealthFactor {
  const typical = state.typicalContactGapDays;
  if (typical === null) {
    return { factor: 'CADENCE', points: 0, detail: 'too few contacts to know a rhythm' };
  }
  const { factor } = context.cadence ?? DEFAULT_CADENCE;
  // From the typical gap (nothing) to factor x the gap (the full weight); a
  // factor of 1 leaves no way between, so any silence past the gap counts whole.
  const span = (factor - 1) * typical;
  const beyond =
    span > 0 ? clamp01((state.daysSinceContact - typical) / span) : state.daysSinceContact > typical ? 1 : 0;
  return {
    factor: 'CADENCE',
    points: round1(-weights.cadence * beyond),
    detail: `${plural(state.daysSinceContact, 'day')} without contact; usually every ${typical}`,
  };
}

function nps(state: RelationshipState, context: RuleContext, weights: HealthWeights): HealthFactor {
  const score = state.lastNpsScore;
  if (score === null || !isRecent(state.lastNpsAt, state.day, context.timeZone)) {
    return { factor: 'NPS', points: 0, detail: `no NPS answer in the last ${RECENT_DAYS} days` };
  }
  const kind = npsBucket(score);
  const points: Record<NpsBucket, number> = {
    detractor: -weights.nps,
    passive: -weights.nps / 3,
    promoter: weights.nps / 3,
  };
  return { factor: 'NPS', points: round1(points[kind]), detail: `last NPS answer ${score} (${kind})` };
}

/** Parses CRH_HEALTH_WEIGHTS, e.g. `silence=40,nps=20`; factors not named keep their default. */
export const parseHealthWeights = (text: string): HealthWeights =>
  parseNamedNumbers(
    text,
    DEFAULT_HEALTH_WEIGHTS as unknown as Record<string, number>,
    'Health weight',
    100,
  ) as unknown as HealthWeights;
