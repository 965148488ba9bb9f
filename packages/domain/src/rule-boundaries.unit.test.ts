import { describe, expect, it } from 'vitest';
import {
  complaintOutcome,
  DEFAULT_COMPLAINT_SLA,
  longestSilenceHoursAt,
  type SlaFacts,
  slaBreaches,
} from './complaint-sla.ts';
import { customerSignals, DAY_COUNT_FIELDS } from './customer-signals.ts';
import { customerTimeline } from './customer-timeline.ts';
import { asOfInstant } from './day-instant.ts';
import { isPastDeadline } from './deadline.ts';
import { npsBucket, npsOf } from './nps.ts';
import { keptOnTime, promiseLifecycles } from './promise-lifecycle.ts';
import { isRecent } from './recent-window.ts';
import type { PositionedEvent } from './relationship-fold.ts';
import type { RelationshipSnapshot } from './relationship-snapshot.ts';
import { isActiveStatus, overduePromiseCount, RELATIONSHIP_STATUSES } from './relationship-state.ts';
import { withSignals } from './signal-history.ts';

// Every rule at its exact boundary: the instant (or value) itself, one
// millisecond (or one point) before and after. docs/rules.md says why each
// boundary is where it is.

const ms = (at: string, delta: number) => new Date(Date.parse(at) + delta).toISOString();
const around = (at: string) => [ms(at, -1), at, ms(at, 1)] as const;

let position = 0;
const e = (type: string, occurredAt: string, data: object = {}) =>
  ({
    id: `id-${position}`,
    type,
    customerId: 'c',
    occurredAt,
    data,
    position: String(++position).padStart(8, '0'),
  }) as unknown as PositionedEvent;
const signalsOf = (timeZone: string, ...events: PositionedEvent[]) =>
  customerSignals('c', withSignals([], events), timeZone);
const countOn = (
  signals: ReturnType<typeof signalsOf>,
  day: string,
  field: (typeof DAY_COUNT_FIELDS)[number],
) => signals.counts.get('')?.get(day)?.[DAY_COUNT_FIELDS.indexOf(field)] ?? 0;

const DUE = '2026-05-20T10:00:00.000Z';

describe('deadlines: missed once now is past them', () => {
  it('is not past one millisecond before, nor at the deadline; it is one millisecond after', () => {
    expect(around(DUE).map((now) => isPastDeadline(DUE, now))).toEqual([false, false, true]);
  });

  it('counts an open promise overdue only after its due time', () => {
    const snapshot = { openPromiseDueAts: [DUE] } as RelationshipSnapshot;
    expect(around(DUE).map((asOf) => overduePromiseCount(snapshot, asOf))).toEqual([0, 0, 1]);
  });

  it('keeps a promise on time when kept at its due time, late one millisecond after', () => {
    const made = e('PromiseMade', '2026-05-19T10:00:00.000Z', {
      promiseId: 'p',
      description: 'd',
      dueAt: DUE,
    });
    const settle = (at: string) =>
      promiseLifecycles(withSignals([], [made, e('PromiseKept', at, { promiseId: 'p' })]))[0]!;
    expect(around(DUE).map((at) => settle(at).settled)).toEqual([
      'KEPT_ON_TIME',
      'KEPT_ON_TIME',
      'KEPT_LATE',
    ]);
    expect(around(DUE).map((at) => keptOnTime(settle(at)))).toEqual([true, true, false]);
  });

  it('leaves a promise cancelled exactly at its due time among the promises due', () => {
    const onboarded = e('CustomerOnboarded', '2026-05-01T00:00:00.000Z', {
      name: 'C',
      accountManagerId: 'am',
    });
    const made = e('PromiseMade', '2026-05-19T10:00:00.000Z', {
      promiseId: 'p',
      description: 'd',
      dueAt: DUE,
    });
    const due = (cancelledAt: string) =>
      countOn(
        signalsOf('UTC', onboarded, made, e('PromiseCancelled', cancelledAt, { promiseId: 'p' })),
        '2026-05-20',
        'promisesDue',
      );
    expect(around(DUE).map(due)).toEqual([0, 1, 1]);
  });
});

describe('complaint service levels (acknowledge 24 h, update 48 h, resolve 120 h)', () => {
  const RECEIVED = '2026-05-01T10:00:00.000Z';
  const open: SlaFacts = {
    receivedAt: RECEIVED,
    acknowledgedAt: null,
    firstResolvedAt: null,
    open: true,
    longestSilenceHours: 0,
    longestSilenceFrom: null,
    silentSince: RECEIVED,
  };
  const kinds = (facts: SlaFacts, now: string) =>
    slaBreaches(facts, new Date(now), DEFAULT_COMPLAINT_SLA).map(
      (b) => `${b.kind}${b.running ? '' : ' (done)'}`,
    );

  it('misses each deadline of an open complaint one millisecond after it', () => {
    expect(around('2026-05-02T10:00:00.000Z').map((now) => kinds(open, now))).toEqual([
      [],
      [],
      ['ACKNOWLEDGE'],
    ]);
    const acknowledged = { ...open, acknowledgedAt: RECEIVED };
    expect(around('2026-05-03T10:00:00.000Z').map((now) => kinds(acknowledged, now))).toEqual([
      [],
      [],
      ['UPDATE'],
    ]);
    const updated = { ...acknowledged, silentSince: '2026-05-05T10:00:00.000Z', longestSilenceHours: 40 };
    expect(around('2026-05-06T10:00:00.000Z').map((now) => kinds(updated, now))).toEqual([
      [],
      [],
      ['RESOLVE'],
    ]);
  });

  it('takes a step done exactly at its deadline as on time', () => {
    const later = '2026-06-01T00:00:00.000Z';
    const acknowledgedAt = (at: string) => kinds({ ...open, acknowledgedAt: at, silentSince: at }, at);
    expect(around('2026-05-02T10:00:00.000Z').map(acknowledgedAt)).toEqual([[], [], ['ACKNOWLEDGE (done)']]);
    const resolvedAt = (at: string) =>
      kinds(
        { ...open, acknowledgedAt: RECEIVED, firstResolvedAt: at, open: false, silentSince: null },
        later,
      );
    expect(around('2026-05-06T10:00:00.000Z').map(resolvedAt)).toEqual([[], [], ['RESOLVE (done)']]);
    // A finished silence of exactly 48 h met the update target.
    const silence = (hours: number) =>
      kinds(
        {
          ...open,
          acknowledgedAt: RECEIVED,
          firstResolvedAt: '2026-05-04T10:00:00.000Z',
          open: false,
          silentSince: null,
          longestSilenceHours: hours,
        },
        later,
      );
    expect([48 - 1 / 3_600_000, 48, 48 + 1 / 3_600_000].map(silence)).toEqual([[], [], ['UPDATE (done)']]);
  });

  it('lets the current silence of an open complaint count up to now', () => {
    const silent = { ...open, longestSilenceHours: 10 };
    expect(longestSilenceHoursAt(silent, new Date('2026-05-01T15:00:00.000Z'))).toBe(10);
    expect(longestSilenceHoursAt(silent, new Date('2026-05-02T10:00:00.000Z'))).toBe(24);
    expect(longestSilenceHoursAt({ ...silent, open: false }, new Date('2026-05-09T10:00:00.000Z'))).toBe(10);
  });
});

describe('complaint outcome: 90 x 24 hours after the resolution', () => {
  const RESOLVED = '2026-02-01T00:00:00.000Z';
  const END = '2026-05-02T00:00:00.000Z';

  it('is pending until the window ends, recovered from its end on', () => {
    expect(around(END).map((now) => complaintOutcome(RESOLVED, null, new Date(now)))).toEqual([
      'PENDING',
      'RECOVERED',
      'RECOVERED',
    ]);
  });

  it('is lost for a churn up to the last instant of the window', () => {
    const later = new Date('2026-06-01T00:00:00.000Z');
    expect(around(END).map((churn) => complaintOutcome(RESOLVED, churn, later))).toEqual([
      'LOST',
      'LOST',
      'RECOVERED',
    ]);
  });
});

describe('NPS buckets and formula', () => {
  it('buckets 0-6 as detractors, 7-8 as passives, 9-10 as promoters', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsBucket)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
  });

  it('counts each answer in its bucket for its day', () => {
    const signals = signalsOf(
      'UTC',
      e('CustomerOnboarded', '2026-05-01T00:00:00.000Z', { name: 'C', accountManagerId: 'am' }),
      ...[6, 7, 8, 9].map((score) => e('NpsResponded', '2026-05-10T09:00:00.000Z', { score })),
    );
    const day = (f: 'promoters' | 'passives' | 'detractors') => countOn(signals, '2026-05-10', f);
    expect([day('promoters'), day('passives'), day('detractors')]).toEqual([1, 2, 1]);
  });

  it('is 100 x (promoters - detractors) / answers, one decimal, halves away from zero; none without answers', () => {
    expect(npsOf(0, 0, 0)).toBeNull();
    expect(npsOf(1, 1, 4)).toBe(0);
    expect(npsOf(2, 1, 3)).toBe(33.3);
    expect(npsOf(1, 2, 3)).toBe(-33.3);
    expect(npsOf(49, 0, 400)).toBe(12.3); // 12.25
    expect(npsOf(0, 49, 400)).toBe(-12.3);
    expect(npsOf(4, 0, 4)).toBe(100);
  });
});

// Australia/Adelaide: +10:30 in February (summer time), +09:30 in May.
const ZONE = 'Australia/Adelaide';

describe(`days in ${ZONE}`, () => {
  it('judges a past day at its last instant, and today at now', () => {
    expect(asOfInstant('2026-05-20', ZONE, new Date('2026-06-01T00:00:00.000Z'))).toBe(
      '2026-05-20T14:29:59.999Z',
    );
    expect(asOfInstant('2026-05-20', ZONE, new Date('2026-05-20T03:00:00.000Z'))).toBe(
      '2026-05-20T03:00:00.000Z',
    );
  });

  it('calls recent what is dated D-89 .. D in the zone', () => {
    const recent = (at: string) => isRecent(at, '2026-05-20', ZONE);
    // 2026-02-20 (D-89) starts at 2026-02-19T13:30Z; 2026-05-21 starts at 2026-05-20T14:30Z.
    expect(around('2026-02-19T13:30:00.000Z').map(recent)).toEqual([false, true, true]);
    expect(around('2026-05-20T14:30:00.000Z').map(recent)).toEqual([true, false, false]);
  });

  it('counts an event for the day its instant falls on in the zone', () => {
    const signals = signalsOf(
      ZONE,
      e('CustomerOnboarded', '2026-05-01T00:00:00.000Z', { name: 'C', accountManagerId: 'am' }),
      e('ComplimentReceived', '2026-05-20T14:29:59.999Z', { channel: 'call' }),
      e('ComplimentReceived', '2026-05-20T14:30:00.000Z', { channel: 'call' }),
    );
    expect([
      countOn(signals, '2026-05-20', 'compliments'),
      countOn(signals, '2026-05-21', 'compliments'),
    ]).toEqual([1, 1]);
  });

  it('is active at the end of a day on which the customer churned and was reactivated', () => {
    const onboarded = e('CustomerOnboarded', '2026-05-01T00:00:00.000Z', {
      name: 'C',
      accountManagerId: 'am',
    });
    const sameDay = customerTimeline(
      withSignals(
        [],
        [
          onboarded,
          e('CustomerChurned', '2026-05-20T00:00:00.000Z'),
          e('CustomerReactivated', '2026-05-20T14:29:59.999Z'),
        ],
      ),
      ZONE,
    );
    expect(sameDay.segments.map((s) => [s.from, s.active])).toEqual([['2026-05-01', true]]);
    const nextDay = customerTimeline(
      withSignals(
        [],
        [
          onboarded,
          e('CustomerChurned', '2026-05-20T14:29:59.999Z'),
          e('CustomerReactivated', '2026-05-20T14:30:00.000Z'),
        ],
      ),
      ZONE,
    );
    expect(nextDay.segments.map((s) => [s.from, s.active])).toEqual([
      ['2026-05-01', true],
      ['2026-05-20', false],
      ['2026-05-21', true],
    ]);
  });
});

describe('active', () => {
  it('is every status but CHURNED', () => {
    expect(RELATIONSHIP_STATUSES.filter(isActiveStatus)).toEqual(['ACTIVE', 'GOING_QUIET', 'NEGLECTED']);
  });
});
