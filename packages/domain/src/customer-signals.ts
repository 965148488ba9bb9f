import { type ComplaintLifecycle, complaintLifecycles } from './complaint-lifecycle.ts';
import {
  type CustomerTimeline,
  customerTimeline,
  segmentOn,
  type TimelineSegment,
} from './customer-timeline.ts';
import type { Tier } from './event-catalogue.ts';
import { type NpsBucket, npsBucket } from './nps.ts';
import {
  cancelledBeforeDue,
  keptOnTime,
  type PromiseLifecycle,
  promiseLifecycles,
} from './promise-lifecycle.ts';
import type { SignalEntry } from './signal-history.ts';
import { addDays, type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * Per-day numbers a customer adds to a scope's daily KPIs. All but
 * `retained` count what happened on the day; `retained` is a change of level
 * (+1 on the first day a customer counts as retained, -1 after the last),
 * summed from the beginning like the interval levels.
 */
export const DAY_COUNT_FIELDS = [
  'churned',
  'promoters',
  'passives',
  'detractors',
  'complaintsReceived',
  'complaintsResolved',
  'promisesDue',
  'promisesKeptOnTime',
  'delightMoments',
  'compliments',
  'retained',
] as const;
export type DayCountField = (typeof DAY_COUNT_FIELDS)[number];
const FIELD_INDEX = Object.fromEntries(DAY_COUNT_FIELDS.map((f, i) => [f, i])) as Record<
  DayCountField,
  number
>;

/** scope ('' = the organisation, else an account manager) -> day -> counts in DAY_COUNT_FIELDS order. */
export type ScopedDayCounts = Map<string, Map<LocalDate, number[]>>;

export const ORGANISATION_SCOPE = '';

const BUCKET_FIELD: Record<NpsBucket, DayCountField> = {
  promoter: 'promoters',
  passive: 'passives',
  detractor: 'detractors',
};

/** The retention window: active at the end of D-90 and still at the end of D (docs/rules.md). */
export const RETENTION_DAYS = 90;

export interface ComplaintRecord extends ComplaintLifecycle {
  customerId: string;
  /** The customer's manager now (lists filter on it). */
  accountManagerId: string;
  /** Where the complaint counts in the daily KPIs (null: not counted, the customer was not onboarded then). */
  receivedDay: LocalDate;
  receivedManager: string | null;
  acknowledgedDay: LocalDate | null;
  acknowledgedManager: string | null;
  resolvedDay: LocalDate | null;
  resolvedManager: string | null;
  /** The first churn after the resolution that closed it (recovered / lost / pending is decided when asked). */
  churnedAfterResolutionAt: string | null;
}

export interface PromiseRecord extends PromiseLifecycle {
  customerId: string;
  accountManagerId: string;
  dueDay: LocalDate;
  /** The manager it counts for on its due day; null: not counted as due that day. */
  dueManager: string | null;
}

export interface NpsAnswer {
  customerId: string;
  position: string;
  at: string;
  day: LocalDate;
  score: number;
  touchpoint: string | null;
  /** As of the answer's own day. */
  accountManagerId: string;
  tier: Tier;
  /** The score of the customer's answer before this one (null for its first): what an NPS drop compares. */
  previousScore: number | null;
  /** The day of the customer's next answer (null for its latest): this one is its latest on days [day, nextDay). */
  nextDay: LocalDate | null;
}

/** Everything a customer contributes to the signal read models, derived from its whole signal history. */
export interface CustomerSignals {
  timeline: CustomerTimeline;
  counts: ScopedDayCounts;
  complaints: ComplaintRecord[];
  promises: PromiseRecord[];
  answers: NpsAnswer[];
  /** scope -> actorId -> day -> delight moments ("one fan a day", for the organisation and the manager of the day). */
  delight: ScopedDelight;
}

/** scope ('' = the organisation, else the account manager as of the day) -> employee -> day -> delight moments. */
export type ScopedDelight = Map<string, Map<string, Map<LocalDate, number>>>;

/**
 * A customer's signals. The rule for every daily count (docs/rules.md,
 * "Daily KPIs"): an event counts for its day only when the customer is
 * onboarded by the end of that day ("count for no view until it does"), and per
 * account manager for the manager that owns the customer as of that day.
 * So the organisation's count is the sum of the managers'.
 */
export function customerSignals(
  customerId: string,
  history: readonly SignalEntry[],
  timeZone: string,
): CustomerSignals {
  const timeline = customerTimeline(history, timeZone);
  const signals: CustomerSignals = {
    timeline,
    counts: new Map(),
    complaints: [],
    promises: [],
    answers: [],
    delight: new Map(),
  };
  if (timeline.onboardedAt === null) return signals;
  const dayOf = (at: string) => localDateOf(at, timeZone);
  const add = (day: LocalDate, field: DayCountField, by = 1) => {
    const segment = segmentOn(timeline, day);
    if (segment) addCount(signals.counts, segment.accountManagerId, day, field, by);
    return segment;
  };

  for (const entry of history) {
    switch (entry.k) {
      case 'churned':
        add(dayOf(entry.at), 'churned');
        break;
      case 'compliment':
        add(dayOf(entry.at), 'compliments');
        break;
      case 'delight': {
        const day = dayOf(entry.at);
        const segment = add(day, 'delightMoments');
        if (segment && entry.actor !== undefined) {
          // An account manager's leaderboard holds the moments within its book as of each day.
          for (const scope of [ORGANISATION_SCOPE, segment.accountManagerId]) {
            addDelight(signals.delight, scope, entry.actor, day, 1);
          }
        }
        break;
      }
      case 'nps': {
        const day = dayOf(entry.at);
        const segment = add(day, BUCKET_FIELD[npsBucket(entry.score)]);
        if (segment) {
          // The history is in occurrence order: each answer follows the one before it.
          const previous = signals.answers.at(-1);
          if (previous) previous.nextDay = day;
          signals.answers.push({
            customerId,
            position: entry.p,
            at: entry.at,
            day,
            score: entry.score,
            touchpoint: entry.tp ?? null,
            accountManagerId: segment.accountManagerId,
            tier: segment.tier,
            previousScore: previous?.score ?? null,
            nextDay: null,
          });
        }
        break;
      }
      default:
        break;
    }
  }

  const currentManager = timeline.segments.at(-1)!.accountManagerId;
  const churns = history.filter((e) => e.k === 'churned').map((e) => e.at);
  for (const complaint of complaintLifecycles(history)) {
    const receivedDay = dayOf(complaint.receivedAt);
    const counted = (at: string | null) => {
      if (at === null) return { day: null, manager: null };
      const day = dayOf(at);
      // A step counts for its day together with the receipt it belongs to.
      return {
        day,
        manager: day >= receivedDay ? (segmentOn(timeline, day)?.accountManagerId ?? null) : null,
      };
    };
    const received = counted(complaint.receivedAt);
    const acknowledged = counted(complaint.acknowledgedAt);
    const resolved = counted(complaint.firstResolvedAt);
    if (received.manager !== null)
      addCount(signals.counts, received.manager, receivedDay, 'complaintsReceived');
    if (resolved.manager !== null)
      addCount(signals.counts, resolved.manager, resolved.day!, 'complaintsResolved');
    const resolvedAt = complaint.resolvedAt;
    signals.complaints.push({
      ...complaint,
      customerId,
      accountManagerId: currentManager,
      receivedDay,
      receivedManager: received.manager,
      acknowledgedDay: acknowledged.day,
      acknowledgedManager: acknowledged.manager,
      resolvedDay: resolved.day,
      resolvedManager: resolved.manager,
      churnedAfterResolutionAt: resolvedAt === null ? null : (churns.find((at) => at > resolvedAt) ?? null),
    });
  }

  for (const promise of promiseLifecycles(history)) {
    const dueDay = dayOf(promise.dueAt);
    const manager =
      dayOf(promise.madeAt) <= dueDay && !cancelledBeforeDue(promise)
        ? (segmentOn(timeline, dueDay)?.accountManagerId ?? null)
        : null;
    if (manager !== null) {
      addCount(signals.counts, manager, dueDay, 'promisesDue');
      if (keptOnTime(promise)) addCount(signals.counts, manager, dueDay, 'promisesKeptOnTime');
    }
    signals.promises.push({
      ...promise,
      customerId,
      accountManagerId: currentManager,
      dueDay,
      dueManager: manager,
    });
  }

  addRetention(signals.counts, timeline.segments);
  return signals;
}

/** Adds `by` delight moments of one employee on one day to a scope. */
export function addDelight(into: ScopedDelight, scope: string, actor: string, day: LocalDate, by: number) {
  let actors = into.get(scope);
  if (!actors) {
    actors = new Map();
    into.set(scope, actors);
  }
  let days = actors.get(actor);
  if (!days) {
    days = new Map();
    actors.set(actor, days);
  }
  days.set(day, (days.get(day) ?? 0) + by);
}

function addCount(counts: ScopedDayCounts, manager: string, day: LocalDate, field: DayCountField, by = 1) {
  for (const scope of [ORGANISATION_SCOPE, manager]) {
    const days = counts.get(scope) ?? new Map<LocalDate, number[]>();
    counts.set(scope, days);
    const row = days.get(day) ?? new Array<number>(DAY_COUNT_FIELDS.length).fill(0);
    days.set(day, row);
    row[FIELD_INDEX[field]]! += by;
  }
}

/**
 * The retention numerator as level changes: the customer counts on day D
 * when it was active at the end of D-90 (for the manager it had then) and
 * is active at the end of D. Active stretches shifted by 90 days, cut with
 * the active stretches.
 */
function addRetention(counts: ScopedDayCounts, segments: readonly TimelineSegment[]) {
  const active = segments.filter((s) => s.active);
  for (const then of active) {
    const from = addDays(then.from, RETENTION_DAYS);
    const to = then.to === null ? null : addDays(then.to, RETENTION_DAYS);
    for (const now of active) {
      const start = [now.from, from].sort()[1]!;
      const end = to === null ? now.to : now.to === null ? to : [now.to, to].sort()[0]!;
      if (end !== null && end <= start) continue;
      addCount(counts, then.accountManagerId, start, 'retained', 1);
      if (end !== null) addCount(counts, then.accountManagerId, end, 'retained', -1);
    }
  }
}

/** new - old, per scope and day, leaving out what did not change. */
export function diffDayCounts(before: ScopedDayCounts, after: ScopedDayCounts): ScopedDayCounts {
  const diff: ScopedDayCounts = new Map();
  const put = (scope: string, day: LocalDate, row: number[]) => {
    if (row.every((n) => n === 0)) return;
    const days = diff.get(scope) ?? new Map<LocalDate, number[]>();
    diff.set(scope, days);
    days.set(day, row);
  };
  for (const [scope, days] of after) {
    const old = before.get(scope);
    for (const [day, row] of days) {
      const was = old?.get(day);
      put(scope, day, was ? row.map((n, i) => n - was[i]!) : row);
    }
  }
  for (const [scope, days] of before) {
    const now = after.get(scope);
    for (const [day, row] of days)
      if (!now?.has(day))
        put(
          scope,
          day,
          row.map((n) => -n),
        );
  }
  return diff;
}

/** Adds `more` into `into` (a batch's or a rebuild's running totals). */
export function mergeDayCounts(into: ScopedDayCounts, more: ScopedDayCounts): void {
  for (const [scope, days] of more) {
    const target = into.get(scope) ?? new Map<LocalDate, number[]>();
    into.set(scope, target);
    for (const [day, row] of days) {
      const have = target.get(day);
      if (have) for (let i = 0; i < row.length; i++) have[i]! += row[i]!;
      else target.set(day, [...row]);
    }
  }
}
