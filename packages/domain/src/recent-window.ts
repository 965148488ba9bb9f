import { addDays, type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * The daily NPS of day D takes the answers dated in the 90 days D-89 .. D;
 * "recent" signals (an NPS answer, a delight moment, for health and today's
 * calls) are those dated in the same window.
 */
export const RECENT_DAYS = 90;

/** The first day of D's window: D-89. */
export const recentWindowStart = (day: LocalDate): LocalDate => addDays(day, 1 - RECENT_DAYS);

export function isRecent(instant: string | null, day: LocalDate, timeZone: string): boolean {
  if (instant === null) return false;
  const date = localDateOf(instant, timeZone);
  return date <= day && date >= recentWindowStart(day);
}
