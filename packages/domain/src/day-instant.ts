import { endOfDayExclusive, type LocalDate } from './zoned-date.ts';

/**
 * The instant day D is judged at where a rule looks at the clock (overdue
 * promises, complaints open for the outliers): the last instant of D in the
 * zone (one millisecond before D+1 starts), or `now` while D is still
 * running. A promise due exactly at that last instant is not yet overdue on D.
 */
export function asOfInstant(day: LocalDate, timeZone: string, now: Date): string {
  const lastInstant = endOfDayExclusive(day, timeZone).getTime() - 1;
  return new Date(Math.min(lastInstant, now.getTime())).toISOString();
}
