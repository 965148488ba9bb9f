import type { Tier } from './event-catalogue.ts';
import {
  byOccurrence,
  emptyFold,
  foldEvent,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
import { type RelationshipStatus, type RuleContext, statusFor } from './relationship-state.ts';
import { addDays, daysBetween, type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * A stretch of days [from, to) in which a relationship's status, tier,
 * account manager and last contact do not change. Status is a function of
 * time: without any event a relationship turns GOING_QUIET and NEGLECTED on
 * known days, so those days start intervals of their own. A day's view is then
 * a range lookup, and the day turn only announces intervals that start today.
 */
export interface StatusInterval {
  customerId: string;
  from: LocalDate;
  /** Exclusive; null while open-ended. */
  to: LocalDate | null;
  status: RelationshipStatus;
  tier: Tier;
  accountManagerId: string | null;
  lastContactAt: string;
  /** daysSinceContact on day D of the interval is D - lastContactDate. */
  lastContactDate: LocalDate;
}

/**
 * The intervals a fold's facts give on [from, until): one per status the
 * silence passes through. Empty when the fold holds no onboarding.
 */
export function intervalsOfFold(
  fold: RelationshipFold,
  from: LocalDate,
  until: LocalDate | null,
  context: RuleContext,
): StatusInterval[] {
  if (fold.onboardedAt === null || fold.lastContactAt === null) return [];
  const lastContactDate = localDateOf(fold.lastContactAt, context.timeZone);
  const base = {
    customerId: fold.customerId,
    tier: fold.tier,
    accountManagerId: fold.accountManagerId,
    lastContactAt: fold.lastContactAt,
    lastContactDate,
  };
  if (fold.churned) return [{ ...base, from, to: until, status: 'CHURNED' }];
  const { quietAfter, neglectedAfter } = context.policy[fold.tier];
  const boundaries: [LocalDate, RelationshipStatus][] = [
    [from, statusFor(daysBetween(lastContactDate, from), fold.tier, false, context.policy)],
    [addDays(lastContactDate, quietAfter), 'GOING_QUIET'],
    [addDays(lastContactDate, neglectedAfter), 'NEGLECTED'],
  ];
  const intervals: StatusInterval[] = [];
  for (const [start, status] of boundaries) {
    if (start < from || (until !== null && start >= until)) continue;
    const previous = intervals.at(-1);
    if (previous && previous.status === status) continue;
    if (previous) previous.to = start;
    intervals.push({ ...base, from: start, to: until, status });
  }
  return intervals;
}

/** Every interval of a customer's history (events in any order), oldest first. */
export function statusIntervals(events: readonly PositionedEvent[], context: RuleContext): StatusInterval[] {
  const first = events[0];
  if (!first) return [];
  const sorted = [...events].sort(byOccurrence);
  const days = sorted.map((e) => localDateOf(e.occurredAt, context.timeZone));
  let fold = emptyFold(first.customerId);
  const intervals: StatusInterval[] = [];
  for (let i = 0; i < sorted.length; i++) {
    fold = foldEvent(fold, sorted[i]!);
    const day = days[i]!;
    const nextDay = days[i + 1];
    if (nextDay === day) continue; // the state that counts for a day is after all its events
    appendMerged(intervals, intervalsOfFold(fold, day, nextDay ?? null, context));
  }
  return intervals;
}

const sameFacts = (a: StatusInterval, b: StatusInterval) =>
  a.status === b.status &&
  a.tier === b.tier &&
  a.accountManagerId === b.accountManagerId &&
  a.lastContactAt === b.lastContactAt;

/** Appends, joining an interval to the previous one when nothing differs but the dates. */
export function appendMerged(intervals: StatusInterval[], next: readonly StatusInterval[]): void {
  for (const interval of next) {
    const previous = intervals.at(-1);
    if (previous && previous.to === interval.from && sameFacts(previous, interval)) previous.to = interval.to;
    else intervals.push({ ...interval });
  }
}

/** The interval that holds `day`, if any. */
export function intervalOn(intervals: readonly StatusInterval[], day: LocalDate): StatusInterval | undefined {
  return intervals.find((i) => i.from <= day && (i.to === null || day < i.to));
}
