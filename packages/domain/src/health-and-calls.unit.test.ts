import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_WEIGHTS, healthScore, parseHealthWeights } from './health-score.ts';
import type { RelationshipState } from './relationship-state.ts';
import { DEFAULT_TIER_POLICY } from './tier-policy.ts';
import { callReasons, todaysCalls } from './todays-calls.ts';

const rules = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };
const END_OF_DAY = '2026-06-10T23:59:59.999Z';

/** A healthy standard relationship on 10 June 2026; each test changes what it is about. */
function state(overrides: Partial<RelationshipState> = {}): RelationshipState {
  return {
    customerId: 'c',
    name: 'C',
    tier: 'standard',
    accountManagerId: 'am-1',
    segment: null,
    contractValue: 1000,
    onboardedAt: '2025-01-01T00:00:00.000Z',
    lastContactAt: '2026-06-10T09:00:00.000Z',
    lastContactDate: '2026-06-10',
    openComplaints: 0,
    lastNpsScore: null,
    lastNpsAt: null,
    lastDelightAt: null,
    typicalContactGapDays: null,
    openPromiseDueAts: [],
    day: '2026-06-10',
    daysSinceContact: 0,
    status: 'ACTIVE',
    beyondCadence: false,
    ...overrides,
  };
}

const points = (s: RelationshipState) =>
  Object.fromEntries(healthScore(s, END_OF_DAY, rules).factors.map((f) => [f.factor, f.points]));

describe('health score', () => {
  it('is 100 for a relationship contacted today with nothing open', () => {
    expect(healthScore(state(), END_OF_DAY, rules)).toMatchObject({ score: 100, band: 'HEALTHY' });
  });

  it('loses the silence weight in proportion to the way to NEGLECTED', () => {
    // Standard turns NEGLECTED at 60 days: 30 days is half of the 40 points.
    const s = state({ daysSinceContact: 30, lastContactDate: '2026-05-11', status: 'GOING_QUIET' });
    expect(points(s).SILENCE).toBe(-20);
    expect(healthScore(s, END_OF_DAY, rules)).toMatchObject({ score: 80, band: 'HEALTHY' });
  });

  it('explains every factor: cadence, complaints, overdue promises, a recent detractor', () => {
    const s = state({
      daysSinceContact: 12,
      lastContactDate: '2026-05-29',
      typicalContactGapDays: 4, // 12 days is the full factor (3 x 4)
      beyondCadence: true,
      openComplaints: 1,
      openPromiseDueAts: ['2026-06-01T00:00:00.000Z', '2026-06-11T00:00:00.000Z'], // one overdue on 10 June
      lastNpsScore: 3,
      lastNpsAt: '2026-04-01T10:00:00.000Z',
    });
    expect(points(s)).toEqual({
      SILENCE: -8, // 12 / 60 x 40
      CADENCE: -10,
      COMPLAINTS: -10,
      PROMISES: -10,
      NPS: -15,
      DELIGHT: 0,
    });
    expect(healthScore(s, END_OF_DAY, rules)).toMatchObject({ score: 47, band: 'WATCH' }); // 100 - 53
  });

  it('takes the whole cadence weight past the typical gap when the factor is 1', () => {
    const s = state({ daysSinceContact: 5, lastContactDate: '2026-06-05', typicalContactGapDays: 4 });
    const strict = { ...rules, cadence: { gaps: 8, factor: 1, minExtraDays: 0 } };
    const cadence = (x: RelationshipState) =>
      healthScore(x, END_OF_DAY, strict).factors.find((f) => f.factor === 'CADENCE')?.points;
    expect(cadence(s)).toBe(-10);
    expect(cadence({ ...s, daysSinceContact: 4 })).toBe(0);
  });

  it('counts NPS and delight only when dated in the last 90 days, and adds for them', () => {
    const recent = state({
      lastNpsScore: 10,
      lastNpsAt: '2026-03-13T10:00:00.000Z', // day 90 of the window 13 March .. 10 June
      lastDelightAt: '2026-06-01T10:00:00.000Z',
    });
    expect(points(recent)).toMatchObject({ NPS: 5, DELIGHT: 10 });
    expect(points({ ...recent, lastNpsAt: '2026-03-12T10:00:00.000Z' }).NPS).toBe(0);
  });

  it('is 0 for a churned customer, and weights can be configured', () => {
    expect(healthScore(state({ status: 'CHURNED' }), END_OF_DAY, rules)).toMatchObject({ score: 0 });
    const weights = parseHealthWeights('silence=80, delight=0');
    expect(weights).toEqual({ ...DEFAULT_HEALTH_WEIGHTS, silence: 80, delight: 0 });
    const s = state({ daysSinceContact: 30, lastContactDate: '2026-05-11' });
    expect(healthScore(s, END_OF_DAY, rules, weights).score).toBe(60);
    expect(() => parseHealthWeights('loudness=3')).toThrow(/is not name=number with name one of silence/);
    expect(() => parseHealthWeights('nps=300')).toThrow(/at most 100/);
  });
});

describe("today's calls", () => {
  it('names every reason that applies, most urgent first', () => {
    const s = state({
      status: 'NEGLECTED',
      tier: 'strategic',
      daysSinceContact: 40,
      lastContactAt: '2026-05-01T09:00:00.000Z',
      openPromiseDueAts: ['2026-06-09T00:00:00.000Z'],
      lastNpsScore: 2,
      lastNpsAt: '2026-05-02T09:00:00.000Z', // no contact since
    });
    expect(callReasons(s, END_OF_DAY, rules)).toEqual([
      'OVERDUE_PROMISE',
      'DETRACTOR_WITHOUT_FOLLOW_UP',
      'NEGLECTED_STRATEGIC',
    ]);
    // A contact after the answer is the follow-up.
    expect(callReasons({ ...s, lastContactAt: '2026-05-03T09:00:00.000Z' }, END_OF_DAY, rules)).not.toContain(
      'DETRACTOR_WITHOUT_FOLLOW_UP',
    );
    expect(callReasons({ ...s, status: 'CHURNED' }, END_OF_DAY, rules)).toEqual([]);
  });

  it('ranks by reason, then lower health, then contract value, and keeps a place for a fan', () => {
    const quiet = (id: string, contractValue: number, days: number) =>
      state({ customerId: id, contractValue, status: 'GOING_QUIET', daysSinceContact: days });
    const promoter = state({
      customerId: 'fan',
      lastNpsScore: 9,
      lastNpsAt: '2026-06-01T09:00:00.000Z',
      lastContactAt: '2026-06-02T09:00:00.000Z',
    });
    const overdue = state({ customerId: 'promise', openPromiseDueAts: ['2026-06-10T08:00:00.000Z'] });
    const all = [
      quiet('q-small', 10, 31),
      quiet('q-big', 5000, 31),
      quiet('q-older', 10, 45),
      overdue,
      promoter,
    ];
    const ids = (limit: number) =>
      todaysCalls(all, END_OF_DAY, rules, limit).map((c) => c.relationship.customerId);
    expect(ids(10)).toEqual(['promise', 'q-older', 'q-big', 'q-small', 'fan']);
    // Three places: the promoter takes the last one ("make one fan a day").
    expect(ids(3)).toEqual(['promise', 'q-older', 'fan']);
    // A promoter delighted since the answer is no reason to call.
    expect(
      callReasons({ ...promoter, lastDelightAt: '2026-06-05T09:00:00.000Z' }, END_OF_DAY, rules),
    ).toEqual([]);
  });
});
