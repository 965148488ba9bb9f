import { asOfInstant } from '@crh/domain';
import { type GatewayFixture, openGatewayFixture } from '@crh/gateway/testing';
import { measure } from '@crh/read-models/queries';
import { createProjector, type Projector } from '@crh/read-models/runner';
import { quietLogger, testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every rule at its exact boundary, through GraphQL (the read-model queries
// behind it) and through the signal change feed (the alerts) alike: the
// boundary instant itself and one millisecond either side, the bucket edges,
// the first and last instant of a day. docs/rules.md says why each boundary
// is where it is. Each scenario has its own account manager, so the per
// manager KPIs see only it. Default SLA: acknowledge 24 h, update 48 h,
// resolve 120 h.

// +10:30 in February (summer time), +09:30 in May: 2026-05-20 runs from
// 2026-05-19T14:30Z to 2026-05-20T14:29:59.999Z; 2026-02-20 starts at 2026-02-19T13:30Z.
const ZONE = 'Australia/Adelaide';
const NOW = '2026-06-01T00:00:00.000Z';
const LAST_OF_MAY_20 = '2026-05-20T14:29:59.999Z';
const FIRST_OF_MAY_21 = '2026-05-20T14:30:00.000Z';
const LAST_OF_FEB_19 = '2026-02-19T13:29:59.999Z';
const FIRST_OF_FEB_20 = '2026-02-19T13:30:00.000Z';

const DUE = '2026-05-20T10:00:00.000Z';
const RECEIVED = '2026-05-21T10:00:00.000Z';
const RESOLVED = '2026-02-01T00:00:00.000Z';
const OUTCOME_END = '2026-05-02T00:00:00.000Z'; // RESOLVED + 90 x 24 h

const ms = (at: string, delta: number) => new Date(Date.parse(at) + delta).toISOString();
const around = (at: string) => [ms(at, -1), at, ms(at, 1)];

const event = testEvent;
const onboard = (c: string, am: string, at = '2026-05-01T00:00:00.000Z') =>
  event(c, 'CustomerOnboarded', at, { name: c, accountManagerId: am });
const promise = (c: string, promiseId: string, dueAt: string) =>
  event(c, 'PromiseMade', '2026-05-10T00:00:00.000Z', { promiseId, description: 'call back', dueAt });

const BOOK = [
  // Promise overdue: due at 10:00:00.000.
  onboard('p-1', 'am-p'),
  promise('p-1', 'p1', DUE),
  // Service levels: never acknowledged; acknowledged and then silent; kept informed until the resolve deadline.
  ...['s-ack', 's-upd', 's-res'].map((c) => onboard(c, 'am-s')),
  event('s-ack', 'ComplaintReceived', RECEIVED, { complaintId: 'c-ack', channel: 'call' }),
  event('s-upd', 'ComplaintReceived', RECEIVED, { complaintId: 'c-upd', channel: 'call' }),
  event('s-upd', 'ComplaintAcknowledged', '2026-05-21T12:00:00.000Z', { complaintId: 'c-upd' }),
  event('s-res', 'ComplaintReceived', RECEIVED, { complaintId: 'c-res', channel: 'call' }),
  event('s-res', 'ComplaintAcknowledged', RECEIVED, { complaintId: 'c-res' }),
  ...['2026-05-23T02:00:00.000Z', '2026-05-24T18:00:00.000Z', '2026-05-26T00:00:00.000Z'].map((at) =>
    event('s-res', 'ComplaintUpdateSent', at, { complaintId: 'c-res' }),
  ),
  // NPS buckets: one answer each of 6, 7, 8, 9.
  ...[6, 7, 8, 9].flatMap((score) => [
    onboard(`n-${score}`, 'am-n'),
    event(`n-${score}`, 'NpsResponded', '2026-05-10T00:00:00.000Z', { score }),
  ]),
  // The 90-day NPS window of 2026-05-20 (D-89 .. D) at its first and last instants.
  onboard('w-1', 'am-w', '2026-01-05T00:00:00.000Z'),
  event('w-1', 'NpsResponded', LAST_OF_FEB_19, { score: 0 }),
  event('w-1', 'NpsResponded', FIRST_OF_FEB_20, { score: 10 }),
  event('w-1', 'NpsResponded', LAST_OF_MAY_20, { score: 10 }),
  event('w-1', 'NpsResponded', FIRST_OF_MAY_21, { score: 0 }),
  onboard('w-2', 'am-w2', '2026-01-05T00:00:00.000Z'),
  event('w-2', 'NpsResponded', LAST_OF_FEB_19, { score: 10 }),
  // Counting for a day: a promise due, and a compliment, at the last and the first instant of a day.
  onboard('d-1', 'am-d'),
  promise('d-1', 'pa', ms(LAST_OF_MAY_20, -1)),
  promise('d-1', 'pb', LAST_OF_MAY_20),
  promise('d-1', 'pc', FIRST_OF_MAY_21),
  event('d-1', 'ComplimentReceived', LAST_OF_MAY_20, { channel: 'call' }),
  event('d-1', 'ComplimentReceived', FIRST_OF_MAY_21, { channel: 'call' }),
  // Active: churned and reactivated on one day; churned at the last instant, reactivated at the first of the next.
  onboard('a-1', 'am-a'),
  event('a-1', 'CustomerChurned', '2026-05-20T00:00:00.000Z', {}),
  event('a-1', 'CustomerReactivated', LAST_OF_MAY_20, {}),
  onboard('a-2', 'am-a'),
  event('a-2', 'CustomerChurned', LAST_OF_MAY_20, {}),
  event('a-2', 'CustomerReactivated', FIRST_OF_MAY_21, {}),
  // Retention: onboarded at the last instant of D-90 and at the first of D-89; r-2 churns on D.
  onboard('r-1', 'am-r', LAST_OF_FEB_19),
  onboard('r-2', 'am-r', FIRST_OF_FEB_20),
  event('r-2', 'CustomerChurned', '2026-05-20T00:00:00.000Z', {}),
  // Complaint outcome: a churn at the last instant of the 90 days after the resolution, one a millisecond later, none.
  ...[
    ['o-1', OUTCOME_END],
    ['o-2', ms(OUTCOME_END, 1)],
    ['o-3', null],
  ].flatMap(([c, churn]) => [
    onboard(c!, 'am-o', '2026-01-05T00:00:00.000Z'),
    event(c!, 'ComplaintReceived', '2026-01-30T00:00:00.000Z', { complaintId: `c-${c}`, channel: 'call' }),
    event(c!, 'ComplaintResolved', RESOLVED, { complaintId: `c-${c}` }),
    ...(churn ? [event(c!, 'CustomerChurned', churn, {})] : []),
  ]),
];

describe(`rule boundaries in ${ZONE}, through the queries and the alerts`, () => {
  let fixture: GatewayFixture;
  let clock = new Date('2026-05-20T09:00:00.000Z');
  let alerts: Projector;

  beforeAll(async () => {
    fixture = await openGatewayFixture(ZONE, { now: NOW });
    await record(BOOK);
    // A second projector over the same read models whose clock the test moves.
    alerts = createProjector({
      store: fixture.database.store,
      pool: fixture.database.pool,
      logger: quietLogger,
      context: fixture.rules,
      batchSize: 100,
      now: () => clock,
    });
    await alerts.announceDeadlines(); // sets the mark before the first deadline
  });
  afterAll(() => fixture.close());

  /** Appends and projects the events. */
  const record = (events: typeof BOOK) => fixture.record(events);
  /** What the feed announces at `at` about one promise or complaint: [kind, dueAt]. */
  const alertsAt = async (at: string, subject: string) => {
    clock = new Date(at);
    return (await alerts.announceDeadlines())
      .filter((a) => a.subjectId === subject)
      .map((a) => [a.kind, a.dueAt]);
  };
  const query = async <T>(q: string, now = NOW): Promise<T> => {
    const result = await fixture.query<T>(q, {}, now);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  it('calls a promise due at 10:00:00.000 overdue from 10:00:00.001, not at 10:00:00.000', async () => {
    type Answer = {
      promises: { edges: { node: { status: string } }[] };
      relationship: { overduePromises: number; health: { factors: { factor: string; points: number }[] } };
      todaysCalls: { reasons: string[] }[];
      outliers: { id: string; value: number }[];
    };
    const answers: Answer[] = [];
    for (const now of around(DUE)) {
      answers.push(
        await query<Answer>(
          `{ promises(accountManagerId: "am-p") { edges { node { status } } }
             relationship(customerId: "p-1") { overduePromises health { factors { factor points } } }
             todaysCalls(accountManagerId: "am-p") { reasons }
             outliers(metric: OVERDUE_PROMISES) { id value } }`,
          now,
        ),
      );
    }
    expect(answers.map((a) => a.promises.edges.map((e) => e.node.status))).toEqual([
      ['OPEN'],
      ['OPEN'],
      ['OVERDUE'],
    ]);
    expect(answers.map((a) => a.relationship.overduePromises)).toEqual([0, 0, 1]);
    const promisePoints = (a: Answer) =>
      a.relationship.health.factors.find((f) => f.factor === 'PROMISES')!.points;
    expect(answers.map(promisePoints)).toEqual([0, 0, -10]);
    expect(answers.map((a) => a.todaysCalls.map((c) => c.reasons))).toEqual([[], [], [['OVERDUE_PROMISE']]]);
    expect(answers.map((a) => a.outliers)).toEqual([[], [], [{ id: 'am-p', value: 1 }]]);

    const announced = [];
    for (const at of around(DUE)) announced.push(await alertsAt(at, 'p1'));
    expect(announced).toEqual([[], [], [['PROMISE_OVERDUE', DUE]]]);
  });

  it('misses each complaint service level one millisecond after its deadline, in the queries and the alerts', async () => {
    const levels = [
      ['s-ack', 'c-ack', 'ACKNOWLEDGE', '2026-05-22T10:00:00.000Z'], // received + 24 h
      ['s-upd', 'c-upd', 'UPDATE', '2026-05-23T12:00:00.000Z'], // acknowledged + 48 h of silence
      ['s-res', 'c-res', 'RESOLVE', '2026-05-26T10:00:00.000Z'], // received + 120 h
    ] as const;
    type Answer = {
      relationship: {
        late: { edges: { node: { complaintId: string } }[] };
        all: {
          edges: {
            node: { overdue: boolean; slaBreaches: { kind: string; running: boolean; dueAt: string }[] };
          }[];
        };
      };
    };
    for (const [customer, complaint, kind, deadline] of levels) {
      const seen = [];
      const announced = [];
      for (const now of around(deadline)) {
        const a = await query<Answer>(
          `{ relationship(customerId: "${customer}") {
               late: complaints(overdue: true) { edges { node { complaintId } } }
               all: complaints { edges { node { overdue slaBreaches { kind running dueAt } } } } } }`,
          now,
        );
        const [node] = a.relationship.all.edges.map((e) => e.node);
        seen.push({
          filtered: a.relationship.late.edges.map((e) => e.node.complaintId),
          overdue: node!.overdue,
          breaches: node!.slaBreaches,
        });
        announced.push(await alertsAt(now, complaint));
      }
      expect(seen, kind).toEqual([
        { filtered: [], overdue: false, breaches: [] },
        { filtered: [], overdue: false, breaches: [] },
        { filtered: [complaint], overdue: true, breaches: [{ kind, running: true, dueAt: deadline }] },
      ]);
      expect(announced, kind).toEqual([[], [], [[`COMPLAINT_${kind}_OVERDUE`, deadline]]]);
    }
  });

  it('buckets NPS answers 6 / 7, 8 / 9 alike in the daily KPIs, the grouped NPS, health and today’s calls', async () => {
    const a = await query<{
      dailyKpis: Record<string, number>[];
      nps: Record<string, unknown>[];
      todaysCalls: { relationship: { customerId: string }; reasons: string[] }[];
      [customer: string]: unknown;
    }>(`{
      dailyKpis(from: "2026-05-10", to: "2026-05-10", accountManagerId: "am-n") { npsResponses promoters passives detractors nps }
      nps(from: "2026-05-10", to: "2026-05-10", groupBy: ACCOUNT_MANAGER, accountManagerId: "am-n") {
        key responses promoters passives detractors nps }
      todaysCalls(accountManagerId: "am-n", date: "2026-05-20", first: 10) { relationship { customerId } reasons }
      ${[6, 7, 8, 9]
        .map(
          (s) =>
            `n${s}: relationship(customerId: "n-${s}", asOf: "2026-05-20") { health { factors { factor points detail } } }`,
        )
        .join('\n')}
    }`);
    expect(a.dailyKpis).toEqual([{ npsResponses: 4, promoters: 1, passives: 2, detractors: 1, nps: 0 }]);
    expect(a.nps).toEqual([{ key: 'am-n', responses: 4, promoters: 1, passives: 2, detractors: 1, nps: 0 }]);
    const npsFactor = (s: number) =>
      (
        a[`n${s}`] as { health: { factors: { factor: string; points: number; detail: string }[] } }
      ).health.factors.find((f) => f.factor === 'NPS');
    expect([6, 7, 8, 9].map((s) => npsFactor(s))).toEqual([
      { factor: 'NPS', points: -15, detail: 'last NPS answer 6 (detractor)' },
      { factor: 'NPS', points: -5, detail: 'last NPS answer 7 (passive)' },
      { factor: 'NPS', points: -5, detail: 'last NPS answer 8 (passive)' },
      { factor: 'NPS', points: 5, detail: 'last NPS answer 9 (promoter)' },
    ]);
    expect(a.todaysCalls.map((c) => [c.relationship.customerId, c.reasons])).toEqual([
      ['n-6', ['DETRACTOR_WITHOUT_FOLLOW_UP']],
      ['n-9', ['PROMOTER_TO_DELIGHT']],
    ]);
  });

  it('takes the NPS of D over the answers dated D-89 .. D in the zone, first and last instants included', async () => {
    const a = await query<{
      w: { date: string; npsResponses: number; promoters: number; detractors: number }[];
      before: { health: { factors: { factor: string; points: number }[] } };
      after: { health: { factors: { factor: string; points: number }[] } };
    }>(`{
      w: dailyKpis(from: "2026-02-19", to: "2026-05-21", accountManagerId: "am-w") { date npsResponses promoters detractors }
      before: relationship(customerId: "w-2", asOf: "2026-05-19") { health { factors { factor points } } }
      after: relationship(customerId: "w-2", asOf: "2026-05-20") { health { factors { factor points } } }
    }`);
    const on = (date: string) => {
      const { npsResponses, promoters, detractors } = a.w.find((d) => d.date === date)!;
      return [npsResponses, promoters, detractors];
    };
    expect(on('2026-02-19')).toEqual([1, 0, 1]);
    expect(on('2026-02-20')).toEqual([2, 1, 1]);
    // 05-19: 02-19 .. 05-19, the 0 of 02-19's last instant and the 10 of 02-20's first.
    expect(on('2026-05-19')).toEqual([2, 1, 1]);
    // 05-20: 02-20 .. 05-20, the 10 of 02-20's first instant and the 10 of 05-20's last.
    expect(on('2026-05-20')).toEqual([2, 2, 0]);
    // 05-21: 02-21 .. 05-21, the 10 of 05-20's last instant and the 0 of 05-21's first.
    expect(on('2026-05-21')).toEqual([2, 1, 1]);
    // A recent answer for health: dated 02-19, it is in the window of 05-19 and not of 05-20.
    const nps = (r: typeof a.before) => r.health.factors.find((f) => f.factor === 'NPS')!.points;
    expect([nps(a.before), nps(a.after)]).toEqual([5, 0]);
  });

  it('counts an event for the day its instant falls on, and judges a past day at its last instant', async () => {
    const a = await query<{
      kpis: { date: string; promisesDue: number; compliments: number }[];
      d20: { overduePromises: number };
      d21: { overduePromises: number };
    }>(`{
      kpis: dailyKpis(from: "2026-05-20", to: "2026-05-21", accountManagerId: "am-d") { date promisesDue compliments }
      d20: relationship(customerId: "d-1", asOf: "2026-05-20") { overduePromises }
      d21: relationship(customerId: "d-1", asOf: "2026-05-21") { overduePromises }
    }`);
    expect(a.kpis).toEqual([
      { date: '2026-05-20', promisesDue: 2, compliments: 1 },
      { date: '2026-05-21', promisesDue: 1, compliments: 1 },
    ]);
    // 05-20 is judged at its last instant: the promise due then is not yet overdue, the one due a millisecond earlier is.
    expect([a.d20.overduePromises, a.d21.overduePromises]).toEqual([1, 3]);
    const at = asOfInstant('2026-05-20', ZONE, new Date(NOW));
    expect(at).toBe(LAST_OF_MAY_20);
    const measured = await measure(fixture.database.pool, 'OVERDUE_PROMISES', '2026-05-20', at, {
      manager: null,
      limit: 10,
    });
    expect(measured.subjects.find((m) => m.id === 'am-d')?.value).toBe(1);
  });

  it('counts a customer active at the end of a day by its last event of the day', async () => {
    const a = await query<{
      kpis: { date: string; activeCustomers: number; churned: number }[];
      a1: { status: string };
      a2: { status: string };
      a2next: { status: string };
    }>(`{
      kpis: dailyKpis(from: "2026-05-19", to: "2026-05-21", accountManagerId: "am-a") { date activeCustomers churned }
      a1: relationship(customerId: "a-1", asOf: "2026-05-20") { status }
      a2: relationship(customerId: "a-2", asOf: "2026-05-20") { status }
      a2next: relationship(customerId: "a-2", asOf: "2026-05-21") { status }
    }`);
    expect(a.kpis).toEqual([
      { date: '2026-05-19', activeCustomers: 2, churned: 0 },
      { date: '2026-05-20', activeCustomers: 1, churned: 2 },
      { date: '2026-05-21', activeCustomers: 2, churned: 0 },
    ]);
    expect([a.a1.status, a.a2.status, a.a2next.status]).toEqual(['ACTIVE', 'CHURNED', 'ACTIVE']);
  });

  it('takes retention over the customers active at the end of D-90', async () => {
    const a = await query<{
      kpis: { date: string; activeCustomers: number; retentionRate90d: number | null }[];
    }>(`{
      kpis: dailyKpis(from: "2026-05-19", to: "2026-05-21", accountManagerId: "am-r") { date activeCustomers retentionRate90d }
    }`);
    expect(a.kpis).toEqual([
      { date: '2026-05-19', activeCustomers: 2, retentionRate90d: null }, // none active at the end of 02-18
      { date: '2026-05-20', activeCustomers: 1, retentionRate90d: 1 }, // r-1 of {r-1}
      { date: '2026-05-21', activeCustomers: 1, retentionRate90d: 0.5 }, // r-1 of {r-1, r-2}
    ]);
  });

  it('calls a complaint lost for a churn up to the last instant of the 90 days after its resolution', async () => {
    const outcome = async (customer: string, now = NOW) =>
      (
        await query<{ relationship: { complaints: { edges: { node: { outcome: string } }[] } } }>(
          `{ relationship(customerId: "${customer}") { complaints { edges { node { outcome } } } } }`,
          now,
        )
      ).relationship.complaints.edges[0]!.node.outcome;
    expect([await outcome('o-1'), await outcome('o-2')]).toEqual(['LOST', 'RECOVERED']);
    const pending = [];
    for (const now of around(OUTCOME_END)) pending.push(await outcome('o-3', now));
    expect(pending).toEqual(['PENDING', 'RECOVERED', 'RECOVERED']);
  });

  it('leaves a late deadline at the last check to the next check, and loses none', async () => {
    // The last check was at 2026-05-26T10:00:00.001Z (the resolve deadline's test).
    const mark = '2026-05-26T10:00:00.001Z';
    await record([promise('p-1', 'p-before', ms(mark, -1)), promise('p-1', 'p-at', mark)]);
    const feed = await fixture.database.pool.query<{ subject_id: string }>(
      `select subject_id from crh.signal_alerts where subject_id in ('p-before', 'p-at') order by seq`,
    );
    // The batch announces what the last check would have: past at the mark.
    expect(feed.rows.map((r) => r.subject_id)).toEqual(['p-before']);
    expect(await alertsAt(ms(mark, 1), 'p-at')).toEqual([['PROMISE_OVERDUE', mark]]);
  });
});
