import { DEFAULT_CADENCE, isBeyondCadence } from './cadence.ts';
import { isPastDeadline } from './deadline.ts';
import type { Tier } from './event-catalogue.ts';
import {
  byOccurrence,
  emptyFold,
  foldAll,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
import { type RelationshipSnapshot, type RuleContext, snapshotOfFold } from './relationship-snapshot.ts';
import type { TierPolicy } from './tier-policy.ts';
import { daysBetween, endOfDayExclusive, type LocalDate } from './zoned-date.ts';

export const RELATIONSHIP_STATUSES = ['ACTIVE', 'GOING_QUIET', 'NEGLECTED', 'CHURNED'] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

/**
 * A customer is active at the end of D when it is onboarded (it has a status
 * at all) and not CHURNED. The daily KPI levels count these statuses, in the
 * projection and in the rebuild (`activeStatusSql` is its SQL form).
 */
export const ACTIVE_STATUSES = RELATIONSHIP_STATUSES.filter(
  (s): s is Exclude<RelationshipStatus, 'CHURNED'> => s !== 'CHURNED',
);
export const isActiveStatus = (status: RelationshipStatus): boolean =>
  (ACTIVE_STATUSES as readonly RelationshipStatus[]).includes(status);

/** A relationship as of the end of one day. */
export interface RelationshipState extends RelationshipSnapshot {
  /** The day this state is as of. */
  day: LocalDate;
  daysSinceContact: number;
  status: RelationshipStatus;
  /** The silence is far beyond the relationship's own rhythm (see cadence.ts). */
  beyondCadence: boolean;
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
 * The state on `day` of a snapshot whose status on that day is known (stored
 * intervals carry it): the day-dependent numbers are derived here only.
 */
export function stateOn(
  snapshot: RelationshipSnapshot,
  status: RelationshipStatus,
  day: LocalDate,
  context: RuleContext,
): RelationshipState {
  const daysSinceContact = daysBetween(snapshot.lastContactDate, day);
  // Built field by field, not spread: lists build thousands of these, and
  // whatever else the snapshot object carries (an interval's dates) stays out.
  return {
    customerId: snapshot.customerId,
    name: snapshot.name,
    tier: snapshot.tier,
    accountManagerId: snapshot.accountManagerId,
    segment: snapshot.segment,
    contractValue: snapshot.contractValue,
    onboardedAt: snapshot.onboardedAt,
    lastContactAt: snapshot.lastContactAt,
    lastContactDate: snapshot.lastContactDate,
    openComplaints: snapshot.openComplaints,
    lastNpsScore: snapshot.lastNpsScore,
    lastNpsAt: snapshot.lastNpsAt,
    lastDelightAt: snapshot.lastDelightAt,
    typicalContactGapDays: snapshot.typicalContactGapDays,
    openPromiseDueAts: snapshot.openPromiseDueAts,
    day,
    daysSinceContact,
    status,
    beyondCadence:
      status !== 'CHURNED' &&
      isBeyondCadence(daysSinceContact, snapshot.typicalContactGapDays, context.cadence ?? DEFAULT_CADENCE),
  };
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
  const snapshot = snapshotOfFold(fold, context);
  if (snapshot === null) return null;
  const daysSinceContact = daysBetween(snapshot.lastContactDate, day);
  return stateOn(
    snapshot,
    statusFor(daysSinceContact, fold.tier, fold.churned, context.policy),
    day,
    context,
  );
}

/**
 * A relationship as of the end of `day` (docs/rules.md, "Contacts and
 * silence" and "Relationship status"), from one customer's events in any order. Null when
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
  return relationshipFromFold(foldAll(emptyFold(first.customerId), counting, context.timeZone), day, context);
}

/**
 * Open promises whose due time `asOf` is past (an instant, see
 * `asOfInstant`: the end of the day asked about, or now when that is earlier).
 */
export const overduePromiseCount = (snapshot: RelationshipSnapshot, asOf: string): number =>
  snapshot.openPromiseDueAts.filter((due) => isPastDeadline(due, asOf)).length;
