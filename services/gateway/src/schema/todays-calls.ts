import {
  ACTIVE_STATUSES,
  CALL_REASONS,
  type CallReason as CallReasonValue,
  type CallSuggestion as CallSuggestionShape,
  stateOnInterval,
  todaysCalls,
} from '@crh/domain';
import { relationshipsPage } from '@crh/read-models/queries';
import { managerScope } from '../auth/book-scope.ts';
import { builder } from '../builder.ts';
import { asOfInstant, todayOf } from '../request-day.ts';
import { checkPageSize } from '../user-errors.ts';
import { HealthScore } from './health.ts';
import { Relationship } from './relationship.ts';

const CallReason = builder.enumType('CallReason', {
  values: CALL_REASONS,
  description: 'Why to contact a customer today; most urgent first (docs/rules.md)',
});

const EXPLANATIONS: Record<CallReasonValue, (s: CallSuggestionShape) => string> = {
  OVERDUE_PROMISE: () => 'a promise to this customer is overdue: keep it today',
  DETRACTOR_WITHOUT_FOLLOW_UP: (s) =>
    `answered NPS ${s.relationship.lastNpsScore} and nobody has been in touch since`,
  NEGLECTED_STRATEGIC: (s) =>
    `strategic customer without contact for ${s.relationship.daysSinceContact} days`,
  NEGLECTED: (s) => `no contact for ${s.relationship.daysSinceContact} days`,
  BEYOND_CADENCE: (s) =>
    `silent ${s.relationship.daysSinceContact} days; usually contacted every ${s.relationship.typicalContactGapDays}`,
  GOING_QUIET: (s) => `going quiet: ${s.relationship.daysSinceContact} days without contact`,
  PROMOTER_TO_DELIGHT: (s) =>
    `promoter (NPS ${s.relationship.lastNpsScore}) not delighted since: make a fan today`,
};

const CallSuggestion = builder.objectRef<CallSuggestionShape>('CallSuggestion').implement({
  description: 'Whom to contact today and why',
  fields: (t) => ({
    relationship: t.field({ type: Relationship, resolve: (s) => s.relationship }),
    reason: t.field({
      type: CallReason,
      description: 'The most urgent reason',
      resolve: (s) => s.reasons[0]!,
    }),
    reasons: t.field({ type: [CallReason], resolve: (s) => s.reasons }),
    explanation: t.string({ resolve: (s) => EXPLANATIONS[s.reasons[0]!](s) }),
    health: t.field({ type: HealthScore, resolve: (s) => s.health }),
  }),
});

builder.queryField('todaysCalls', (t) =>
  t.field({
    type: [CallSuggestion],
    description:
      "The daily digest: a short ranked list of an account manager's customers to contact on date (default today)",
    args: {
      accountManagerId: t.arg.id({ required: true }),
      date: t.arg({ type: 'Date', required: false }),
      first: t.arg.int({ defaultValue: 5 }),
    },
    resolve: async (_root, args, ctx) => {
      const first = checkPageSize(args.first ?? 5, 50);
      const day = args.date ?? todayOf(ctx);
      const book = await relationshipsPage(ctx.db, {
        day,
        accountManagerId: managerScope(ctx, args.accountManagerId)!,
        statuses: ACTIVE_STATUSES,
      });
      const states = book.map((interval) => stateOnInterval(interval, day, ctx.rules));
      return todaysCalls(states, asOfInstant(ctx, day), ctx.rules, first, ctx.healthWeights);
    },
  }),
);
