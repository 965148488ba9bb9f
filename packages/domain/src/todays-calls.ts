import { type HealthScore, type HealthWeights, healthScore } from './health-score.ts';
import { npsBucket } from './nps.ts';
import { isRecent } from './recent-window.ts';
import type { RuleContext } from './relationship-snapshot.ts';
import { overduePromiseCount, type RelationshipState } from './relationship-state.ts';

/**
 * Why to contact a customer today, most urgent first. A broken promise makes
 * detractors, and an unanswered detractor is a complaint in waiting, so both
 * come before silence; a promoter is the chance to make a fan.
 */
export const CALL_REASONS = [
  'OVERDUE_PROMISE',
  'DETRACTOR_WITHOUT_FOLLOW_UP',
  'NEGLECTED_STRATEGIC',
  'NEGLECTED',
  'BEYOND_CADENCE',
  'GOING_QUIET',
  'PROMOTER_TO_DELIGHT',
] as const;
export type CallReason = (typeof CALL_REASONS)[number];

/** Every reason that applies to a relationship on its day, most urgent first. */
export function callReasons(state: RelationshipState, asOf: string, context: RuleContext): CallReason[] {
  if (state.status === 'CHURNED') return [];
  const reasons: CallReason[] = [];
  if (overduePromiseCount(state, asOf) > 0) reasons.push('OVERDUE_PROMISE');
  const npsRecent = isRecent(state.lastNpsAt, state.day, context.timeZone);
  const score = state.lastNpsScore;
  // Followed up: any contact after the answer.
  if (
    npsRecent &&
    score !== null &&
    npsBucket(score) === 'detractor' &&
    state.lastContactAt <= state.lastNpsAt!
  ) {
    reasons.push('DETRACTOR_WITHOUT_FOLLOW_UP');
  }
  if (state.status === 'NEGLECTED')
    reasons.push(state.tier === 'strategic' ? 'NEGLECTED_STRATEGIC' : 'NEGLECTED');
  if (state.beyondCadence && state.status !== 'NEGLECTED') reasons.push('BEYOND_CADENCE');
  if (state.status === 'GOING_QUIET') reasons.push('GOING_QUIET');
  // Not delighted since the answer.
  if (
    npsRecent &&
    score !== null &&
    npsBucket(score) === 'promoter' &&
    (state.lastDelightAt === null || state.lastDelightAt < state.lastNpsAt!)
  ) {
    reasons.push('PROMOTER_TO_DELIGHT');
  }
  return reasons;
}

export interface CallSuggestion {
  relationship: RelationshipState;
  /** The reasons that apply, most urgent first; the first decides the rank. */
  reasons: CallReason[];
  health: HealthScore;
}

const rank = (reason: CallReason) => CALL_REASONS.indexOf(reason);

/**
 * A short list of whom to call today: by most urgent reason, then lowest
 * health, then highest contract value, then customerId. "Make one fan a day":
 * when the list would hold no promoter to delight but one exists, the best
 * such promoter takes the last place.
 */
export function todaysCalls(
  states: readonly RelationshipState[],
  asOf: string,
  context: RuleContext,
  limit: number,
  weights?: HealthWeights,
): CallSuggestion[] {
  const candidates: CallSuggestion[] = [];
  for (const relationship of states) {
    const reasons = callReasons(relationship, asOf, context);
    if (reasons.length > 0) {
      candidates.push({ relationship, reasons, health: healthScore(relationship, asOf, context, weights) });
    }
  }
  candidates.sort(
    (a, b) =>
      rank(a.reasons[0]!) - rank(b.reasons[0]!) ||
      a.health.score - b.health.score ||
      (b.relationship.contractValue ?? -1) - (a.relationship.contractValue ?? -1) ||
      (a.relationship.customerId < b.relationship.customerId ? -1 : 1),
  );
  const list = candidates.slice(0, limit);
  const fan = (c: CallSuggestion) => c.reasons.includes('PROMOTER_TO_DELIGHT');
  if (limit > 0 && !list.some(fan)) {
    const promoter = candidates.slice(limit).find(fan);
    // A promoter left out means the list is full (every candidate fits otherwise).
    if (promoter) list[limit - 1] = promoter;
  }
  return list;
}
