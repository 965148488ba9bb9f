import type { Tier } from './event-catalogue.ts';
import type { SignalEntry } from './signal-history.ts';
import { type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * A stretch of days [from, to) in which a customer's manager, tier and
 * activity (onboarded and not CHURNED) stay the same, as of the end of each
 * day. `to` null: open-ended.
 */
export interface TimelineSegment {
  from: LocalDate;
  to: LocalDate | null;
  accountManagerId: string;
  tier: Tier;
  active: boolean;
}

/**
 * What counts for each day from onboarding on. Before the first segment the
 * customer is not onboarded: its events count for no view on those days.
 */
export interface CustomerTimeline {
  onboardedAt: string | null;
  segments: TimelineSegment[];
}

/**
 * The customer's timeline from its signal history (occurrence order), with
 * the relationship rules (docs/rules.md): the first onboarding counts and later
 * ones are ignored; the manager and tier are the latest set by events
 * counting for the day; the latest of churned / renewed / reactivated
 * counting for the day decides activity, even when dated before onboarding.
 */
export function customerTimeline(history: readonly SignalEntry[], timeZone: string): CustomerTimeline {
  let onboardedAt: string | null = null;
  let manager: string | null = null;
  let tier: Tier = 'standard';
  let churned = false;
  const segments: TimelineSegment[] = [];
  const close = (day: LocalDate) => {
    if (onboardedAt === null || manager === null) return;
    const last = segments.at(-1);
    const state = { accountManagerId: manager, tier, active: !churned };
    if (
      last &&
      last.accountManagerId === state.accountManagerId &&
      last.tier === state.tier &&
      last.active === state.active
    ) {
      return;
    }
    if (last?.from === day) {
      // Several changes on one day: only the state at its end counts.
      Object.assign(last, state);
      const before = segments.at(-2);
      if (
        before &&
        before.accountManagerId === last.accountManagerId &&
        before.tier === last.tier &&
        before.active === last.active
      ) {
        segments.pop();
        before.to = null;
      }
      return;
    }
    if (last) last.to = day;
    segments.push({ from: day, to: null, ...state });
  };
  for (const entry of history) {
    switch (entry.k) {
      case 'onboarded':
        if (onboardedAt !== null) continue;
        onboardedAt = entry.at;
        manager = entry.am;
        tier = entry.tier;
        break;
      case 'manager':
        manager = entry.am;
        break;
      case 'tier':
        tier = entry.tier;
        break;
      case 'churned':
        churned = true;
        break;
      case 'renewed':
      case 'reactivated':
        churned = false;
        break;
      default:
        continue;
    }
    close(localDateOf(entry.at, timeZone));
  }
  return { onboardedAt, segments };
}

/** The segment holding `day`; undefined when the customer is not onboarded by its end. */
export function segmentOn(timeline: CustomerTimeline, day: LocalDate): TimelineSegment | undefined {
  const { segments } = timeline;
  // Binary search: histories are short, but answers and complaints ask once each.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (day < s.from) hi = mid - 1;
    else if (s.to !== null && day >= s.to) lo = mid + 1;
    else return s;
  }
  return undefined;
}
