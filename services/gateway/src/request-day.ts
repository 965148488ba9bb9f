import { endOfDayExclusive, type LocalDate, localDateOf } from '@crh/domain';
import type { GatewayContext } from './builder.ts';

/** Today in the organisation's zone: the default day of every query. */
export const todayOf = (ctx: GatewayContext): LocalDate => localDateOf(ctx.now(), ctx.rules.timeZone);

/**
 * The instant a day is judged at, e.g. whether a promise is overdue: the end
 * of the day, or now while the day is still running.
 */
export function asOfInstant(ctx: GatewayContext, day: LocalDate): string {
  const end = endOfDayExclusive(day, ctx.rules.timeZone).getTime() - 1;
  return new Date(Math.min(end, ctx.now().getTime())).toISOString();
}

/** The last day a series may show: `to`, or today when `to` is later (no rows for the future). */
export const untilToday = (ctx: GatewayContext, to: LocalDate): LocalDate => [to, todayOf(ctx)].sort()[0]!;
