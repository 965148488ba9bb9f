import {
  overduePromiseCount,
  RELATIONSHIP_STATUSES,
  type RelationshipState,
  stateOnInterval,
} from '@crh/domain';
import { relationshipOn } from '@crh/read-models/queries';
import { inBook } from '../auth/book-scope.ts';
import { builder } from '../builder.ts';
import { asOfInstant, todayOf } from '../request-day.ts';

export const RelationshipStatus = builder.enumType('RelationshipStatus', {
  values: RELATIONSHIP_STATUSES,
});

/** Backed by the relationship's state as of the end of one day. */
export const Relationship = builder.objectRef<RelationshipState>('Relationship').implement({
  description: 'A customer relationship as of the end of a day (the query asOf, default today)',
  // Defence in depth: whatever field returns a relationship, an account
  // manager sees only those whose manager, as of their day, it is. Checked
  // once per relationship (isTypeOf), not once per field of a 500-row page.
  runScopesOnType: true,
  authScopes: (r, ctx) => inBook(ctx, r.accountManagerId),
  fields: (t) => ({
    customerId: t.exposeID('customerId'),
    asOf: t.field({ type: 'Date', description: 'The day this relationship is as of', resolve: (r) => r.day }),
    name: t.exposeString('name', { nullable: true }),
    tier: t.exposeString('tier'),
    accountManagerId: t.exposeID('accountManagerId', { nullable: true }),
    segment: t.exposeString('segment', { nullable: true }),
    contractValue: t.exposeFloat('contractValue', { nullable: true }),
    onboardedAt: t.field({ type: 'DateTime', resolve: (r) => r.onboardedAt }),
    status: t.field({ type: RelationshipStatus, resolve: (r) => r.status }),
    lastContactAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastContactAt }),
    daysSinceContact: t.exposeInt('daysSinceContact'),
    typicalContactGapDays: t.exposeFloat('typicalContactGapDays', {
      nullable: true,
      description:
        'The relationship’s own rhythm: median of its most recent gaps between contact days (null with fewer than 3 gaps)',
    }),
    beyondCadence: t.exposeBoolean('beyondCadence', {
      description:
        'The silence is far beyond the relationship’s own rhythm, whatever the tier threshold says',
    }),
    openComplaints: t.exposeInt('openComplaints'),
    lastNpsScore: t.exposeInt('lastNpsScore', { nullable: true }),
    lastNpsAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastNpsAt }),
    lastDelightAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastDelightAt }),
    openPromises: t.int({ resolve: (r) => r.openPromiseDueAts.length }),
    overduePromises: t.int({
      description: 'Open promises whose due time has passed by the end of the day (by now, for today)',
      resolve: (r, _args, ctx) => overduePromiseCount(r, asOfInstant(ctx, r.day)),
    }),
  }),
});

builder.queryField('relationship', (t) =>
  t.field({
    type: Relationship,
    nullable: true,
    description:
      'One relationship as of the end of asOf (default: today); null when not onboarded by then, or not in the caller’s book then',
    args: {
      customerId: t.arg.id({ required: true }),
      asOf: t.arg({ type: 'Date', required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const day = args.asOf ?? todayOf(ctx);
      const interval = await relationshipOn(ctx.db, String(args.customerId), day);
      // Outside the caller's book as of the day: null, as for a customer that does not exist.
      if (!interval || !inBook(ctx, interval.accountManagerId)) return null;
      return stateOnInterval(interval, day, ctx.rules);
    },
  }),
);
