import { addDays, type LocalDate, localDateOf } from './zoned-date.ts';

/**
 * "Recent" signals (an NPS answer, a delight moment) are those dated in the
 * 90 days D-89 .. D, the same window DOMAIN.md gives the daily NPS.
 */
export const RECENT_DAYS = 90;

export function isRecent(instant: string | null, day: LocalDate, timeZone: string): boolean {
  if (instant === null) return false;
  const date = localDateOf(instant, timeZone);
  return date <= day && date >= addDays(day, 1 - RECENT_DAYS);
}
