import {
  byOccurrence,
  emptyFold,
  foldEvent,
  type PositionedEvent,
  type RelationshipFold,
} from './relationship-fold.ts';
import {
  type RelationshipSnapshot,
  type RuleContext,
  sameSnapshot,
  snapshotOfFold,
} from './relationship-snapshot.ts';
import { type RelationshipState, type RelationshipStatus, stateOn, statusFor } from './relationship-state.ts';
import { addDays, daysBetween, type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * A stretch of days [from, to) in which a relationship's status and facts do
 * not change. Status is a function of time: without any event a relationship
 * turns GOING_QUIET and NEGLECTED on known days, so those days start
 * intervals of their own. A day's view is then a range lookup, and the day
 * turn only announces intervals that start that day.
 */
export interface StatusInterval extends RelationshipSnapshot {
  from: LocalDate;
  /** Exclusive; null while open-ended. */
  to: LocalDate | null;
  status: RelationshipStatus;
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
  const snapshot = snapshotOfFold(fold, context);
  if (snapshot === null) return [];
  if (fold.churned) return [{ ...snapshot, from, to: until, status: 'CHURNED' }];
  const { quietAfter, neglectedAfter } = context.policy[fold.tier];
  const contactDate = snapshot.lastContactDate;
  const boundaries: [LocalDate, RelationshipStatus][] = [
    [from, statusFor(daysBetween(contactDate, from), fold.tier, false, context.policy)],
    [addDays(contactDate, quietAfter), 'GOING_QUIET'],
    [addDays(contactDate, neglectedAfter), 'NEGLECTED'],
  ];
  const intervals: StatusInterval[] = [];
  for (const [start, status] of boundaries) {
    if (start < from || (until !== null && start >= until)) continue;
    const previous = intervals.at(-1);
    if (previous && previous.status === status) continue;
    if (previous) previous.to = start;
    intervals.push({ ...snapshot, from: start, to: until, status });
  }
  return intervals;
}

export interface IntervalWalk {
  fold: RelationshipFold;
  /** Intervals from the day of the first event walked on (empty before onboarding). */
  intervals: StatusInterval[];
}

/**
 * Extends a fold with events that all come after its `through`, and derives
 * the intervals from the first new event's day on. The state that counts for
 * a day is the one after all of its events, including those the fold already
 * holds, so the intervals stored before that day stay as they are.
 */
export function walkIntervals(
  start: RelationshipFold,
  sorted: readonly PositionedEvent[],
  context: RuleContext,
): IntervalWalk {
  const days = sorted.map((e) => localDateOf(e.occurredAt, context.timeZone));
  let fold = start;
  const intervals: StatusInterval[] = [];
  for (let i = 0; i < sorted.length; i++) {
    fold = foldEvent(fold, sorted[i]!, context.timeZone);
    const day = days[i]!;
    const nextDay = days[i + 1];
    if (nextDay === day) continue; // the state that counts for a day is after all its events
    appendMerged(intervals, intervalsOfFold(fold, day, nextDay ?? null, context));
  }
  return { fold, intervals };
}

/** Every interval of a customer's history (events in any order), oldest first. */
export function statusIntervals(events: readonly PositionedEvent[], context: RuleContext): StatusInterval[] {
  const first = events[0];
  if (!first) return [];
  return walkIntervals(emptyFold(first.customerId), [...events].sort(byOccurrence), context).intervals;
}

const sameFacts = (a: StatusInterval, b: StatusInterval) => a.status === b.status && sameSnapshot(a, b);

/** Appends, joining an interval to the previous one when nothing differs but the dates. */
export function appendMerged(intervals: StatusInterval[], next: readonly StatusInterval[]): void {
  for (const interval of next) {
    const previous = intervals.at(-1);
    if (previous && previous.to === interval.from && sameFacts(previous, interval)) previous.to = interval.to;
    else intervals.push({ ...interval });
  }
}

/** The relationship on a day the interval holds. */
export function stateOnInterval(
  interval: StatusInterval,
  day: LocalDate,
  context: RuleContext,
): RelationshipState {
  const { from: _from, to: _to, status, ...snapshot } = interval;
  return stateOn(snapshot, status, day, context);
}

/** The interval that holds `day`, if any. */
export function intervalOn(intervals: readonly StatusInterval[], day: LocalDate): StatusInterval | undefined {
  return intervals.find((i) => i.from <= day && (i.to === null || day < i.to));
}

export interface IntervalSplice {
  /** Stored intervals starting on or after this day are replaced ... */
  replaceFrom: LocalDate;
  /** ... by these (merged with their neighbour where nothing but the dates differ). */
  intervals: StatusInterval[];
}

/**
 * How stored intervals change when new intervals hold from `day` on:
 * `holding` is the stored interval that starts before `day` and reaches it
 * (ends on it or later), if any. It is cut at `day`, or joined with the first
 * new interval when their facts are equal, so the result is the same as
 * deriving the whole history at once.
 */
export function spliceIntervals(
  holding: StatusInterval | undefined,
  day: LocalDate,
  next: readonly StatusInterval[],
): IntervalSplice {
  if (!holding) return { replaceFrom: day, intervals: [...next] };
  const intervals: StatusInterval[] = [{ ...holding, to: day }];
  appendMerged(intervals, next);
  return { replaceFrom: holding.from, intervals };
}
