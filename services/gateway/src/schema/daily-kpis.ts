import { addDays, daysBetween } from '@crh/domain';
import { type DailyKpis as DailyKpisShape, dailyKpis } from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder } from '../builder.ts';
import { untilToday } from '../request-day.ts';
import { badInput } from '../user-errors.ts';

/** Ten years of days: more is a mistake, not a dashboard. */
const MAX_DAYS = 3_660;

export const DailyKpis = builder.objectRef<DailyKpisShape>('DailyKpis').implement({
  description: "The day's KPIs as of its end (docs/rules.md gives each formula)",
  fields: (t) => ({
    date: t.field({ type: 'Date', resolve: (k) => k.date }),
    activeCustomers: t.exposeInt('activeCustomers', {
      description: 'Onboarded and not CHURNED at the end of the day',
    }),
    goingQuiet: t.exposeInt('goingQuiet'),
    neglected: t.exposeInt('neglected'),
    churned: t.exposeInt('churned', { description: 'CustomerChurned events dated the day' }),
    npsResponses: t.exposeInt('npsResponses', {
      description: 'Answers dated in the 90 days ending with the day',
    }),
    promoters: t.exposeInt('promoters'),
    passives: t.exposeInt('passives'),
    detractors: t.exposeInt('detractors'),
    nps: t.exposeFloat('nps', {
      nullable: true,
      description: '%promoters - %detractors over the 90 days, one decimal',
    }),
    complaintsReceived: t.exposeInt('complaintsReceived'),
    complaintsResolved: t.exposeInt('complaintsResolved', {
      description: 'Complaints first resolved on the day',
    }),
    openComplaints: t.exposeInt('openComplaints'),
    medianHoursToAcknowledge: t.exposeFloat('medianHoursToAcknowledge', { nullable: true }),
    medianHoursToResolve: t.exposeFloat('medianHoursToResolve', { nullable: true }),
    promisesDue: t.exposeInt('promisesDue'),
    promisesKeptOnTime: t.exposeInt('promisesKeptOnTime'),
    delightMoments: t.exposeInt('delightMoments'),
    compliments: t.exposeInt('compliments'),
    retentionRate90d: t.exposeFloat('retentionRate90d', {
      nullable: true,
      description:
        'Of the customers active at the end of the day 90 days earlier, the share (0-1) still active',
    }),
  }),
});

builder.queryField('dailyKpis', (t) =>
  t.field({
    type: [DailyKpis],
    description:
      'One row per day from `from` to `to` (days after today are not returned), for the organisation or one account manager (a customer counts for the manager that owns it as of each day)',
    args: {
      from: t.arg({ type: 'Date', required: true }),
      to: t.arg({ type: 'Date', required: true }),
      accountManagerId: t.arg.id({ required: false }),
    },
    resolve: (_root, args, ctx) => {
      if (args.to < args.from) throw badInput('to must not be before from');
      const to = untilToday(ctx, args.to);
      if (daysBetween(args.from, to) >= MAX_DAYS) {
        throw badInput(
          `at most ${MAX_DAYS} days at once (from ${args.from} to ${addDays(args.from, MAX_DAYS - 1)})`,
        );
      }
      return dailyKpis(ctx.db, args.from, to, managerScope(ctx, args.accountManagerId));
    },
  }),
);
