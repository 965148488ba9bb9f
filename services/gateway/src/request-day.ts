import { asOfInstant as dayInstant, type LocalDate, localDateOf } from '@crh/domain';
import type { GatewayContext } from './builder.ts';

/** Today in the organisation's zone: the default day of every query. */
export const todayOf = (ctx: GatewayContext): LocalDate => localDateOf(ctx.now(), ctx.rules.timeZone);

/** The instant a day is judged at, e.g. whether a promise is overdue (the domain's `asOfInstant`). */
export const asOfInstant = (ctx: GatewayContext, day: LocalDate): string =>
  dayInstant(day, ctx.rules.timeZone, ctx.now());

/** The last day a series may show: `to`, or today when `to` is later (no rows for the future). */
export const untilToday = (ctx: GatewayContext, to: LocalDate): LocalDate => [to, todayOf(ctx)].sort()[0]!;
