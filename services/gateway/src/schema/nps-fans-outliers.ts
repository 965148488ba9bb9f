import { daysBetween, npsOf, outliersAmong } from '@crh/domain';
import {
  dailyKpis,
  fansOn,
  measure,
  npsByGroup,
  OUTLIER_METRICS,
  OUTLIER_SUBJECT,
  type OutlierMetric as OutlierMetricName,
} from '@crh/read-models/queries';
import { managerScope, organisationScope } from '../auth/book-scope.ts';
import { builder, type GatewayContext } from '../builder.ts';
import { asOfInstant, todayOf, untilToday } from '../request-day.ts';
import { badInput, checkPageSize } from '../user-errors.ts';

interface NpsGroupShape {
  key: string | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
}

const NpsGroup = builder.objectRef<NpsGroupShape>('NpsGroup').implement({
  description: 'NPS over a set of answers: 100 x (promoters - detractors) / answers, one decimal',
  fields: (t) => ({
    key: t.string({
      nullable: true,
      description: 'The day, touchpoint, account manager or tier (null: answers without a touchpoint)',
      resolve: (g) => g.key,
    }),
    responses: t.exposeInt('responses'),
    promoters: t.exposeInt('promoters'),
    passives: t.exposeInt('passives'),
    detractors: t.exposeInt('detractors'),
    nps: t.float({ nullable: true, resolve: (g) => npsOf(g.promoters, g.detractors, g.responses) }),
  }),
});

const NpsGrouping = builder.enumType('NpsGrouping', {
  description:
    'DAY: each day with its 90-day window (as dailyKpis); the others: answers dated from..to, by the manager and tier as of each answer’s day',
  values: ['DAY', 'TOUCHPOINT', 'ACCOUNT_MANAGER', 'TIER'] as const,
});

const MAX_NPS_DAYS = 3_660;

builder.queryField('nps', (t) =>
  t.field({
    type: [NpsGroup],
    args: {
      from: t.arg({ type: 'Date', required: true }),
      to: t.arg({ type: 'Date', required: true }),
      groupBy: t.arg({ type: NpsGrouping, required: true }),
      accountManagerId: t.arg.id({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.to < args.from) throw badInput('to must not be before from');
      if (daysBetween(args.from, args.to) >= MAX_NPS_DAYS)
        throw badInput(`at most ${MAX_NPS_DAYS} days at once`);
      const manager = managerScope(ctx, args.accountManagerId);
      if (args.groupBy !== 'DAY') return npsByGroup(ctx.db, args.from, args.to, args.groupBy, manager);
      const to = untilToday(ctx, args.to);
      const days = await dailyKpis(ctx.db, args.from, to, manager);
      return days.map((d) => ({
        key: d.date,
        responses: d.npsResponses,
        promoters: d.promoters,
        passives: d.passives,
        detractors: d.detractors,
      }));
    },
  }),
);

const Fan = builder
  .objectRef<{ actor_id: string; moments: number; streak: number; last_30_days: number }>('Fan')
  .implement({
    description: '"Make one fan a day": an employee with a delight moment on the day',
    fields: (t) => ({
      employeeId: t.id({ resolve: (f) => f.actor_id }),
      streak: t.int({
        description: 'Consecutive days ending with the day, each with at least one delight moment',
        resolve: (f) => f.streak,
      }),
      moments: t.int({ description: 'Delight moments on the day', resolve: (f) => f.moments }),
      momentsLast30Days: t.int({ resolve: (f) => f.last_30_days }),
    }),
  });

builder.queryField('fans', (t) =>
  t.field({
    type: [Fan],
    description:
      'The day’s leaderboard: employees with a delight moment, longest streak first, then most moments',
    args: {
      date: t.arg({ type: 'Date', required: false, description: 'Default today' }),
      first: t.arg.int({ defaultValue: 20 }),
    },
    resolve: (_root, args, ctx) =>
      fansOn(ctx.db, args.date ?? todayOf(ctx), checkPageSize(args.first ?? 20), managerScope(ctx, null)),
  }),
);

const OutlierMetric = builder.enumType('OutlierMetric', {
  description:
    'NEGLECTED_SHARE: per manager, NEGLECTED / active relationships; OVERDUE_PROMISES: per manager; NPS_DROP: per customer, previous minus latest answer (latest in the 90-day window); LONGEST_OPEN_COMPLAINT: hours since receipt of complaints open at the end of the day',
  values: OUTLIER_METRICS,
});
const OutlierSubject = builder.enumType('OutlierSubject', {
  values: ['ACCOUNT_MANAGER', 'CUSTOMER'] as const,
});

const Outlier = builder
  .objectRef<{
    id: string;
    value: number;
    norm: number;
    deviation: number;
    kind: 'ACCOUNT_MANAGER' | 'CUSTOMER';
    customerId: string | null;
    accountManagerId: string | null;
    detail: string;
  }>('Outlier')
  .implement({
    fields: (t) => ({
      subject: t.field({ type: OutlierSubject, resolve: (o) => o.kind }),
      id: t.id({ description: 'The manager, the customer, or customer/complaint', resolve: (o) => o.id }),
      customerId: t.id({ nullable: true, resolve: (o) => o.customerId }),
      accountManagerId: t.id({ nullable: true, resolve: (o) => o.accountManagerId }),
      value: t.exposeFloat('value'),
      norm: t.float({ description: 'The median over every subject', resolve: (o) => o.norm }),
      deviation: t.float({
        description: 'Robust z-score: (value - median) / (1.4826 x median absolute deviation)',
        resolve: (o) => o.deviation,
      }),
      detail: t.exposeString('detail'),
    }),
  });

builder.queryField('outliers', (t) =>
  t.field({
    type: [Outlier],
    description:
      'Learn from the outliers, not the averages: the subjects furthest above the norm on the day, furthest first',
    args: {
      date: t.arg({ type: 'Date', required: false, description: 'Default today' }),
      metric: t.arg({ type: OutlierMetric, required: true }),
      first: t.arg.int({ defaultValue: 10 }),
    },
    resolve: async (_root, args, ctx) => {
      const day = args.date ?? todayOf(ctx);
      if (day > todayOf(ctx)) throw badInput('date must not be after today');
      const first = checkPageSize(args.first ?? 10);
      const manager = bookToCompare(ctx, args.metric);
      const { values, subjects } = await measure(ctx.db, args.metric, day, asOfInstant(ctx, day), {
        manager,
        limit: first,
      });
      const byId = new Map(subjects.map((s) => [s.id, s]));
      return outliersAmong(values, subjects, first).map((o) => ({
        ...byId.get(o.id)!,
        ...o,
      }));
    },
  }),
);

/**
 * Whose subjects a caller compares: null for a reader of every book, else
 * the account manager's own book: the customers in it as of the day, ranked
 * among themselves (the norm is its book's, so nothing about other books
 * shows). Comparing account managers with each other is the organisation's
 * view: FORBIDDEN for an account manager.
 */
function bookToCompare(ctx: GatewayContext, metric: OutlierMetricName): string | null {
  const manager = managerScope(ctx, null);
  if (manager !== null && OUTLIER_SUBJECT[metric] === 'ACCOUNT_MANAGER') organisationScope(ctx);
  return manager;
}
