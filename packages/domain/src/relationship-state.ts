import { type DomainEvent, isContactEvent, type Tier } from './event-catalogue.ts';
import type { TierPolicy } from './tier-policy.ts';
import { daysBetween, endOfDayExclusive, type LocalDate, localDateOf } from './zoned-date.ts';

export const RELATIONSHIP_STATUSES = ['ACTIVE', 'GOING_QUIET', 'NEGLECTED', 'CHURNED'] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

/** An event with its log position (fixed width: string order is arrival order). */
export type PositionedEvent = DomainEvent & { position: string };

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

/** Time order; arrival (log) order breaks ties, so late events land where they belong. */
export const byOccurrence = (a: PositionedEvent, b: PositionedEvent): number =>
  a.occurredAt < b.occurredAt
    ? -1
    : a.occurredAt > b.occurredAt
      ? 1
      : a.position < b.position
        ? -1
        : a.position > b.position
          ? 1
          : 0;

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
  const cutoff = endOfDayExclusive(day, context.timeZone).toISOString();
  const counting = events.filter((e) => e.occurredAt < cutoff).sort(byOccurrence);
  // Onboarding happens once: the earliest counts, any other is ignored whole.
  const onboarding = counting.find((e) => e.type === 'CustomerOnboarded');
  if (onboarding?.type !== 'CustomerOnboarded') return null;

  let tier: Tier = onboarding.data.tier;
  let accountManagerId: string | null = onboarding.data.accountManagerId;
  let name: string | null = onboarding.data.name;
  let segment: string | null = onboarding.data.segment ?? null;
  let contractValue: number | null = onboarding.data.contractValue ?? null;
  let lastContactAt = onboarding.occurredAt;
  let churned = false;
  let lastNpsScore: number | null = null;
  const complaintOpen = new Map<string, boolean>();

  // Events before the onboarding in time still set tier, manager and lifecycle
  // when they are the latest, but the onboarding's own values come after them.
  for (const event of counting) {
    if (event === onboarding) {
      ({ tier, accountManagerId, name } = onboarding.data);
      segment = onboarding.data.segment ?? segment;
      contractValue = onboarding.data.contractValue ?? contractValue;
      continue;
    }
    if (
      isContactEvent(event.type) &&
      event.occurredAt >= onboarding.occurredAt &&
      event.occurredAt > lastContactAt
    ) {
      lastContactAt = event.occurredAt;
    }
    switch (event.type) {
      case 'CustomerOnboarded':
        break; // a second onboarding is ignored
      case 'CustomerTierChanged':
        tier = event.data.tier;
        break;
      case 'AccountManagerAssigned':
        accountManagerId = event.data.accountManagerId;
        break;
      case 'CustomerProfileUpdated':
        name = event.data.name ?? name;
        segment = event.data.segment ?? segment;
        contractValue = event.data.contractValue ?? contractValue;
        break;
      case 'CustomerChurned':
        churned = true;
        break;
      case 'ContractRenewed':
        churned = false;
        contractValue = event.data.contractValue ?? contractValue;
        break;
      case 'CustomerReactivated':
        churned = false;
        break;
      case 'NpsResponded':
        lastNpsScore = event.data.score;
        break;
      case 'ComplaintReceived':
        if (!complaintOpen.has(event.data.complaintId)) complaintOpen.set(event.data.complaintId, true);
        break;
      case 'ComplaintResolved':
        if (complaintOpen.has(event.data.complaintId)) complaintOpen.set(event.data.complaintId, false);
        break;
      case 'ComplaintReopened':
        if (complaintOpen.has(event.data.complaintId)) complaintOpen.set(event.data.complaintId, true);
        break;
      case 'ContactLogged':
      case 'ComplaintAcknowledged':
      case 'ComplaintUpdateSent':
      case 'RecoveryGestureMade':
      case 'ComplaintFeedbackReceived':
      case 'ComplimentReceived':
      case 'PromiseMade':
      case 'PromiseKept':
      case 'PromiseCancelled':
      case 'DelightMomentRecorded':
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event type ${(unhandled as DomainEvent).type}`);
      }
    }
  }

  const daysSinceContact = daysBetween(localDateOf(lastContactAt, context.timeZone), day);
  let openComplaints = 0;
  for (const open of complaintOpen.values()) if (open) openComplaints++;
  return {
    customerId: onboarding.customerId,
    name,
    tier,
    accountManagerId,
    segment,
    contractValue,
    onboardedAt: onboarding.occurredAt,
    lastContactAt,
    daysSinceContact,
    status: statusFor(daysSinceContact, tier, churned, context.policy),
    openComplaints,
    lastNpsScore,
  };
}
