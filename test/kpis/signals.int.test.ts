import { type GatewayFixture, openGatewayFixture } from '@crh/gateway/testing';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Complaints, promises, NPS groups and outliers through GraphQL, on a small
// hand-made book whose answers can be worked out by hand. The default SLA
// applies: acknowledge within 24 h, an update at least every 48 h, resolve
// within 120 h. "Now" is 2026-05-20T12:00Z.

const NOW = '2026-05-20T12:00:00Z';
const event = testEvent;
const onboard = (c: string, am: string, tier = 'standard') =>
  event(c, 'CustomerOnboarded', '2026-01-05T09:00:00Z', { name: c, tier, accountManagerId: am });

describe('complaints, promises, NPS and outliers', () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC', { now: NOW });
    await fixture.record([
      onboard('s-1', 'am-1', 'key'),
      onboard('s-2', 'am-1'),
      onboard('s-3', 'am-2'),
      // s-1: received, acknowledged after 30 h (late), resolved, reopened, silent since the reopening.
      event('s-1', 'ComplaintReceived', '2026-05-01T08:00:00Z', {
        complaintId: 'c1',
        channel: 'call',
        severity: 'high',
      }),
      event('s-1', 'ComplaintAcknowledged', '2026-05-02T14:00:00Z', { complaintId: 'c1' }),
      event('s-1', 'ComplaintUpdateSent', '2026-05-03T14:00:00Z', { complaintId: 'c1' }),
      event('s-1', 'ComplaintResolved', '2026-05-04T08:00:00Z', { complaintId: 'c1' }),
      event('s-1', 'RecoveryGestureMade', '2026-05-04T09:00:00Z', { complaintId: 'c1', kind: 'discount' }),
      event('s-1', 'ComplaintReopened', '2026-05-18T12:00:00Z', { complaintId: 'c1' }),
      // s-2: a quick recovery with flowers and feedback, resolved 10 days ago.
      event('s-2', 'ComplaintReceived', '2026-05-10T10:00:00Z', { complaintId: 'c2', channel: 'email' }),
      event('s-2', 'ComplaintAcknowledged', '2026-05-10T11:30:00Z', { complaintId: 'c2' }),
      event('s-2', 'ComplaintResolved', '2026-05-10T16:00:00Z', { complaintId: 'c2' }),
      event('s-2', 'RecoveryGestureMade', '2026-05-11T09:00:00Z', { complaintId: 'c2', kind: 'flowers' }),
      event('s-2', 'ComplaintFeedbackReceived', '2026-05-12T09:00:00Z', {
        complaintId: 'c2',
        satisfied: true,
      }),
      // s-3: resolved in February, churned within 90 days: lost.
      event('s-3', 'ComplaintReceived', '2026-02-01T10:00:00Z', { complaintId: 'c3', channel: 'visit' }),
      event('s-3', 'ComplaintResolved', '2026-02-02T10:00:00Z', { complaintId: 'c3' }),
      event('s-3', 'CustomerChurned', '2026-03-01T10:00:00Z', {}),
      // Promises: kept on time, kept late, overdue, open, cancelled.
      event('s-1', 'PromiseMade', '2026-05-15T09:00:00Z', {
        promiseId: 'p1',
        description: 'call back',
        dueAt: '2026-05-16T09:00:00Z',
      }),
      event('s-1', 'PromiseKept', '2026-05-16T08:00:00Z', { promiseId: 'p1' }),
      event('s-2', 'PromiseMade', '2026-05-15T09:00:00Z', {
        promiseId: 'p2',
        description: 'send quote',
        dueAt: '2026-05-16T09:00:00Z',
      }),
      event('s-2', 'PromiseKept', '2026-05-17T08:00:00Z', { promiseId: 'p2' }),
      event('s-2', 'PromiseMade', '2026-05-18T09:00:00Z', {
        promiseId: 'p3',
        description: 'visit',
        dueAt: '2026-05-19T09:00:00Z',
      }),
      event('s-3', 'PromiseMade', '2026-05-18T09:00:00Z', {
        promiseId: 'p4',
        description: 'refund',
        dueAt: '2026-05-25T09:00:00Z',
      }),
      event('s-3', 'PromiseMade', '2026-05-18T09:00:00Z', {
        promiseId: 'p5',
        description: 'gift',
        dueAt: '2026-05-25T09:00:00Z',
      }),
      event('s-3', 'PromiseCancelled', '2026-05-19T09:00:00Z', { promiseId: 'p5' }),
      // NPS: s-1 drops from 10 to 3; s-2 answers 9 at support; s-3 answers 7.
      event('s-1', 'NpsResponded', '2026-04-01T09:00:00Z', { score: 10, touchpoint: 'onboarding' }),
      event('s-1', 'NpsResponded', '2026-05-05T09:00:00Z', { score: 3, touchpoint: 'support' }),
      event('s-2', 'NpsResponded', '2026-05-06T09:00:00Z', { score: 9, touchpoint: 'support' }),
      event('s-3', 'NpsResponded', '2026-02-20T09:00:00Z', { score: 7 }),
      // Three more managers' customers with steady answers: the norm for outliers.
      ...[
        ['s-4', 'am-3', 8, 8],
        ['s-5', 'am-4', 9, 8],
        ['s-6', 'am-5', 7, 7],
      ].flatMap(([c, am, before, after]) => [
        onboard(String(c), String(am)),
        event(String(c), 'NpsResponded', '2026-03-01T09:00:00Z', { score: before }),
        event(String(c), 'NpsResponded', '2026-05-01T09:00:00Z', { score: after }),
      ]),
    ]);
  });
  afterAll(() => fixture.close());

  it('follows each complaint’s lifecycle, its service levels and its outcome', async () => {
    const result = await fixture.query<{ complaints: { edges: { node: Record<string, unknown> }[] } }>(`{
      complaints(first: 10) { edges { node {
        complaintId status hoursToAcknowledge hoursToResolve longestSilenceHours beyondRepair gestures
        feedbackAsked outcome overdue slaBreaches { kind running } } } } }`);
    expect(result.errors).toBeUndefined();
    const byId = Object.fromEntries(result.data!.complaints.edges.map((e) => [e.node.complaintId, e.node]));
    expect(result.data!.complaints.edges.map((e) => e.node.complaintId)).toEqual(['c3', 'c1', 'c2']);
    expect(byId.c1).toEqual({
      complaintId: 'c1',
      status: 'OPEN',
      hoursToAcknowledge: 30,
      hoursToResolve: 72,
      // Reopened 2026-05-18T12:00, silent since: 48 h up to now, more than any earlier gap (30 h).
      longestSilenceHours: 48,
      beyondRepair: false,
      gestures: ['discount'],
      feedbackAsked: false,
      outcome: null,
      overdue: true,
      // Acknowledged late (done), open past the resolve target (running); 48 h is not more than 48 h.
      slaBreaches: [
        { kind: 'ACKNOWLEDGE', running: false },
        { kind: 'RESOLVE', running: true },
      ],
    });
    expect(byId.c2).toMatchObject({
      status: 'RESOLVED',
      hoursToAcknowledge: 1.5,
      hoursToResolve: 6,
      beyondRepair: true,
      feedbackAsked: true,
      outcome: 'PENDING',
      overdue: false,
      slaBreaches: [],
    });
    expect(byId.c3).toMatchObject({ status: 'RESOLVED', outcome: 'LOST', hoursToResolve: 24 });

    const overdue = await fixture.query<{ complaints: { edges: { node: { complaintId: string } }[] } }>(
      '{ complaints(overdue: true, accountManagerId: "am-1") { edges { node { complaintId } } } }',
    );
    expect(overdue.data!.complaints.edges.map((e) => e.node.complaintId)).toEqual(['c1']);
    const mine = await fixture.query<{ relationship: { complaints: { edges: unknown[] } } }>(
      '{ relationship(customerId: "s-2") { complaints(status: RESOLVED) { edges { node { complaintId } } } } }',
    );
    expect(mine.data!.relationship.complaints.edges).toEqual([{ node: { complaintId: 'c2' } }]);
  });

  it('lists promises by due time with their status, and pages', async () => {
    const all = await fixture.query<{
      promises: { edges: { node: { promiseId: string; status: string } }[] };
    }>('{ promises { edges { node { promiseId status } } } }');
    expect(all.data!.promises.edges.map((e) => e.node)).toEqual([
      { promiseId: 'p1', status: 'KEPT_ON_TIME' },
      { promiseId: 'p2', status: 'KEPT_LATE' },
      { promiseId: 'p3', status: 'OVERDUE' },
      { promiseId: 'p4', status: 'OPEN' },
      { promiseId: 'p5', status: 'CANCELLED' },
    ]);
    const page = `query ($after: String) { promises(status: [OPEN, OVERDUE, KEPT_LATE], first: 2, after: $after) {
      edges { node { promiseId } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      promises: {
        edges: { node: { promiseId: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const first = await fixture.query<Page>(page);
    expect(first.data!.promises.edges.map((e) => e.node.promiseId)).toEqual(['p2', 'p3']);
    const second = await fixture.query<Page>(page, { after: first.data!.promises.pageInfo.endCursor });
    expect(second.data!.promises.edges.map((e) => e.node.promiseId)).toEqual(['p4']);
    expect(second.data!.promises.pageInfo.hasNextPage).toBe(false);
    const bad = await fixture.query(page, { after: 'nonsense' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('groups NPS by touchpoint, manager and tier', async () => {
    const q = `{ t: nps(from: "2026-01-01", to: "2026-05-20", groupBy: TOUCHPOINT) { key responses nps }
      m: nps(from: "2026-04-15", to: "2026-05-20", groupBy: ACCOUNT_MANAGER) { key responses promoters detractors nps }
      d: nps(from: "2026-05-05", to: "2026-05-06", groupBy: DAY) { key responses nps } }`;
    const result = await fixture.query<Record<string, unknown[]>>(q);
    expect(result.errors).toBeUndefined();
    expect(result.data!.t).toEqual([
      { key: 'onboarding', responses: 1, nps: 100 },
      { key: 'support', responses: 2, nps: 0 },
      { key: null, responses: 7, nps: 14.3 }, // one 9 among 7 answers
    ]);
    expect(result.data!.m).toEqual([
      { key: 'am-1', responses: 2, promoters: 1, detractors: 1, nps: 0 },
      { key: 'am-3', responses: 1, promoters: 0, detractors: 0, nps: 0 },
      { key: 'am-4', responses: 1, promoters: 0, detractors: 0, nps: 0 },
      { key: 'am-5', responses: 1, promoters: 0, detractors: 0, nps: 0 },
    ]);
    // 90-day windows: on 05-05 the answers of 02-20, 04-01 and 05-05 (7, 10, 3),
    expect(result.data!.d).toEqual([
      // plus the steady answers of 03-01 (8, 9, 7) and 05-01 (8, 8, 7).
      // 05-05: promoters 9 and 10, detractor 3 of 9 answers; 05-06 adds a 9.
      { key: '2026-05-05', responses: 9, nps: 11.1 },
      { key: '2026-05-06', responses: 10, nps: 20 },
    ]);
  });

  it('names the outliers and how far they are from the norm', async () => {
    const result = await fixture.query<Record<string, { id: string; value: number; norm: number }[]>>(`{
      drop: outliers(metric: NPS_DROP) { id value norm deviation }
      open: outliers(metric: LONGEST_OPEN_COMPLAINT) { id value }
      promises: outliers(metric: OVERDUE_PROMISES) { id value norm } }`);
    expect(result.errors).toBeUndefined();
    // Drops 7 (s-1: 10 then 3), 0, 1, 0: norm 0.5, MAD 0.5, so s-1 is (7 - 0.5) / (1.4826 x 0.5) = 8.77 away.
    expect(result.data!.drop).toEqual([
      { id: 's-1', value: 7, norm: 0.5, deviation: 8.77 },
      { id: 's-5', value: 1, norm: 0.5, deviation: 0.67 },
    ]);
    // One open complaint: no spread, nobody stands out.
    expect(result.data!.open).toEqual([]);
    // Overdue promises 1 (am-1, p3), 0, 0, 0 (am-2 has no active customer: s-3 churned): MAD 0, mean deviation 0.25.
    expect(result.data!.promises).toEqual([{ id: 'am-1', value: 1, norm: 0 }]);
  });
});
