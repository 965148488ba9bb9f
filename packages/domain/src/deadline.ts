/** An instant as an ISO 8601 string, a Date or epoch milliseconds. */
export type Instant = string | Date | number;

const ms = (at: Instant): number =>
  typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();

/**
 * The one rule for every deadline (a promise's dueAt, a complaint's service
 * levels): it is missed once `now` is past it. At the deadline itself it is
 * still met, one millisecond later it is missed; so a promise kept, or a
 * complaint acknowledged, exactly at its deadline is on time. SQL that judges
 * deadlines builds on `pastDeadlineSql` (read models), which says the same.
 */
export const isPastDeadline = (deadline: Instant, now: Instant): boolean => ms(deadline) < ms(now);
