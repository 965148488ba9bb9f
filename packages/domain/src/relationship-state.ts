import type { Tier } from './event-catalogue.ts';
import {
  byOccurrence,
  emptyFold,
  foldEvent,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
import type { TierPolicy } from './tier-policy.ts';
import { daysBetween, endOfDayExclusive, type LocalDate, localDateOf } from './zoned-date.ts';

export const RELATIONSHIP_STATUSES = ['ACTIVE', 'GOING_QUIET', 'NEGLECTED', 'CHURNED'] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

export interface RelationshipState {
  customerId: string;
  name: string | null;
  tier: Tier;
  accountManagerId: string | null;
  segment: string | null;
  contractValue: number | null;
  onboardedAt: string;
  lastContactAt: string;
  daysSinceContact: number;
  status: RelationshipStatus;
  openComplaints: number;
  lastNpsScore: number | null;
}

export interface RuleContext {
  timeZone: string;
  policy: TierPolicy;
}

export function statusFor(
  daysSinceContact: number,
  tier: Tier,
  churned: boolean,
  policy: TierPolicy,
): RelationshipStatus {
  if (churned) return 'CHURNED';
  const { quietAfter, neglectedAfter } = policy[tier];
  if (daysSinceContact >= neglectedAfter) return 'NEGLECTED';
  if (daysSinceContact >= quietAfter) return 'GOING_QUIET';
  return 'ACTIVE';
}

/**
 * The relationship on `day` from a fold of exactly the events that count for
 * that day; null when it holds no onboarding.
 */
export function relationshipFromFold(
  fold: RelationshipFold,
  day: LocalDate,
  context: RuleContext,
): RelationshipState | null {
  if (fold.onboardedAt === null || fold.lastContactAt === null) return null;
  const daysSinceContact = daysBetween(localDateOf(fold.lastContactAt, context.timeZone), day);
  return {
    customerId: fold.customerId,
    name: fold.name,
    tier: fold.tier,
    accountManagerId: fold.accountManagerId,
    segment: fold.segment,
    contractValue: fold.contractValue,
    onboardedAt: fold.onboardedAt,
    lastContactAt: fold.lastContactAt,
    daysSinceContact,
    status: statusFor(daysSinceContact, fold.tier, fold.churned, context.policy),
    openComplaints: Object.values(fold.complaints).filter(Boolean).length,
    lastNpsScore: fold.lastNpsScore,
  };
}

/**
 * A relationship as of the end of `day` (DOMAIN.md "Contacts and silence" and
 * "Relationship status"), from one customer's events in any order. Null when
 * the customer is not onboarded by the end of the day.
 */
export function relationshipAsOf(
  events: readonly PositionedEvent[],
  day: LocalDate,
  context: RuleContext,
): RelationshipState | null {
  const first = events[0];
  if (!first) return null;
  const cutoff = endOfDayExclusive(day, context.timeZone).toISOString();
  const counting = events.filter((e) => e.occurredAt < cutoff).sort(byOccurrence);
  return relationshipFromFold(counting.reduce(foldEvent, emptyFold(first.customerId)), day, context);
}
