import { TIERS } from '@crh/domain';
import { builder } from '../builder.ts';
import { todayOf } from '../request-day.ts';

interface TierThresholdsShape {
  tier: string;
  quietAfterDays: number;
  neglectedAfterDays: number;
}

const TierThresholds = builder.objectRef<TierThresholdsShape>('TierThresholds').implement({
  description:
    'Days of silence after which a relationship of the tier is GOING_QUIET, then NEGLECTED (CRH_TIER_POLICY)',
  fields: (t) => ({
    tier: t.exposeString('tier'),
    quietAfterDays: t.exposeInt('quietAfterDays'),
    neglectedAfterDays: t.exposeInt('neglectedAfterDays'),
  }),
});

interface OrganisationShape {
  timeZone: string;
  today: string;
  tiers: TierThresholdsShape[];
}

/**
 * What a page needs to state its day and draw its thresholds: the same time
 * zone and tier policy the projector applies, so no client keeps a copy.
 */
const Organisation = builder.objectRef<OrganisationShape>('Organisation').implement({
  description: 'The settings every answer is computed with',
  fields: (t) => ({
    timeZone: t.exposeString('timeZone', {
      description: 'The IANA time zone in which every Date is a calendar day (CRH_TIMEZONE)',
    }),
    today: t.field({ type: 'Date', description: 'Today in that time zone', resolve: (o) => o.today }),
    tierThresholds: t.field({ type: [TierThresholds], resolve: (o) => o.tiers }),
  }),
});

builder.queryField('organisation', (t) =>
  t.field({
    type: Organisation,
    description: "The organisation's time zone, today there, and the tier policy",
    resolve: (_root, _args, ctx) => ({
      timeZone: ctx.rules.timeZone,
      today: todayOf(ctx),
      tiers: TIERS.map((tier) => ({
        tier,
        quietAfterDays: ctx.rules.policy[tier].quietAfter,
        neglectedAfterDays: ctx.rules.policy[tier].neglectedAfter,
      })),
    }),
  }),
);
