import {
  HEALTH_BANDS,
  HEALTH_FACTORS,
  type HealthFactor as HealthFactorShape,
  type HealthScore as HealthScoreShape,
  healthScore,
} from '@crh/domain';
import { builder } from '../builder.ts';
import { asOfInstant } from '../request-day.ts';
import { Relationship } from './relationship.ts';

const HealthFactorKind = builder.enumType('HealthFactorKind', { values: HEALTH_FACTORS });
const HealthBand = builder.enumType('HealthBand', {
  values: HEALTH_BANDS,
  description: 'HEALTHY from 70, WATCH from 40, AT_RISK below',
});

const HealthFactor = builder.objectRef<HealthFactorShape>('HealthFactor').implement({
  description: 'One reason behind a health score',
  fields: (t) => ({
    factor: t.field({ type: HealthFactorKind, resolve: (f) => f.factor }),
    points: t.exposeFloat('points', { description: 'Points added (positive) or taken off (negative)' }),
    detail: t.exposeString('detail'),
  }),
});

export const HealthScore = builder.objectRef<HealthScoreShape>('HealthScore').implement({
  description: '0-100: 100 plus the points of every factor, clamped (docs/rules.md)',
  fields: (t) => ({
    score: t.exposeInt('score'),
    band: t.field({ type: HealthBand, resolve: (h) => h.band }),
    factors: t.field({ type: [HealthFactor], resolve: (h) => h.factors }),
  }),
});

builder.objectField(Relationship, 'health', (t) =>
  t.field({
    type: HealthScore,
    description: 'The health score as of the day, with the factors that make it',
    resolve: (r, _args, ctx) => healthScore(r, asOfInstant(ctx, r.day), ctx.rules, ctx.healthWeights),
  }),
);
