// Hand-worked checks of the KPI oracle against docs/rules.md and the decisions in
// kpi-oracle.ts's header. Every expected value below was worked out on paper
// from the rules; the comments show the sums.
import { describe, expect, it } from 'vitest';
import { defaultContext } from './domain-oracle.ts';
import { type KpiOracleEvent, oracleDailyKpis, oracleStreak } from './kpi-oracle.ts';

const UTC = defaultContext('UTC');
const ST_JOHNS = defaultContext('America/St_Johns');

/** An event log: events get positions in the order they are added (arrival order). */
function newLog() {
  const events: KpiOracleEvent[] = [];
  const add = (
    type: string,
    customerId: string,
    occurredAt: string,
    data: Record<string, unknown> = {},
    actorId?: string,
  ) => {
    const position = String(events.length + 1).padStart(8, '0');
    const event: KpiOracleEvent = { id: `e-${position}`, type, customerId, occurredAt, data, position };
    if (actorId !== undefined) event.actorId = actorId;
    events.push(event);
    return event;
  };
  const onboard = (customerId: string, occurredAt: string, accountManagerId = 'am-1') =>
    add('CustomerOnboarded', customerId, occurredAt, {
      name: customerId,
      tier: 'standard',
      accountManagerId,
    });
  return { events, add, onboard };
}

describe('complaints', () => {
  /** Two customers of am-1, onboarded long before March. */
  function complaintLog() {
    const log = newLog();
    log.onboard('c1', '2026-01-01T09:00:00.000Z');
    log.onboard('c2', '2026-01-01T09:00:00.000Z');
    // k1: received 03-10 08:00, acknowledged 10:00 (2 h), resolved 20:00 (12 h).
    log.add('ComplaintReceived', 'c1', '2026-03-10T08:00:00.000Z', { complaintId: 'k1', channel: 'email' });
    log.add('ComplaintAcknowledged', 'c1', '2026-03-10T10:00:00.000Z', { complaintId: 'k1' });
    log.add('ComplaintResolved', 'c1', '2026-03-10T20:00:00.000Z', { complaintId: 'k1' });
    // k2: received 03-09 22:00, acknowledged 03-10 04:00 (6 h), resolved 03-11 10:00 (36 h).
    log.add('ComplaintReceived', 'c1', '2026-03-09T22:00:00.000Z', { complaintId: 'k2', channel: 'call' });
    log.add('ComplaintAcknowledged', 'c1', '2026-03-10T04:00:00.000Z', { complaintId: 'k2' });
    log.add('ComplaintResolved', 'c1', '2026-03-11T10:00:00.000Z', { complaintId: 'k2' });
    // k3 (another customer, same complaintId as nothing else): received 03-10 09:00, acknowledged 09:30 (0.5 h).
    log.add('ComplaintReceived', 'c2', '2026-03-10T09:00:00.000Z', { complaintId: 'k3', channel: 'chat' });
    log.add('ComplaintAcknowledged', 'c2', '2026-03-10T09:30:00.000Z', { complaintId: 'k3' });
    // k4: acknowledged and resolved on 03-10 but never received: counts nowhere.
    log.add('ComplaintAcknowledged', 'c2', '2026-03-10T11:00:00.000Z', { complaintId: 'k4' });
    log.add('ComplaintResolved', 'c2', '2026-03-10T12:00:00.000Z', { complaintId: 'k4' });
    // k5: received 03-08 12:00, acknowledged 03-10 00:00 (36 h), still open.
    log.add('ComplaintReceived', 'c2', '2026-03-08T12:00:00.000Z', { complaintId: 'k5', channel: 'email' });
    log.add('ComplaintAcknowledged', 'c2', '2026-03-10T00:00:00.000Z', { complaintId: 'k5' });
    // k6: received 03-10 01:00, resolved 04:00 (3 h), never acknowledged.
    log.add('ComplaintResolved', 'c2', '2026-03-10T04:00:00.000Z', { complaintId: 'k6' }); // arrives first
    log.add('ComplaintReceived', 'c2', '2026-03-10T01:00:00.000Z', { complaintId: 'k6', channel: 'email' });
    return log;
  }

  it('takes the median of an even count as the mean of the two middle values', () => {
    const kpis = oracleDailyKpis(complaintLog().events, '2026-03-10', UTC);
    // Received on 03-10: k1, k3, k6 (k2 on 03-09, k5 on 03-08, k4 never).
    expect(kpis.complaintsReceived).toBe(3);
    // Acknowledged on 03-10: k3 0.5, k1 2, k2 6, k5 36 -> (2 + 6) / 2 = 4.
    expect(kpis.medianHoursToAcknowledge).toBe(4);
    // First resolved on 03-10: k6 3, k1 12 -> (3 + 12) / 2 = 7.5.
    expect(kpis.complaintsResolved).toBe(2);
    expect(kpis.medianHoursToResolve).toBe(7.5);
    // Open at the end of 03-10: k2, k3, k5.
    expect(kpis.openComplaints).toBe(3);
    // Per manager: both customers are am-1's.
    expect(oracleDailyKpis(complaintLog().events, '2026-03-10', UTC, 'am-1')).toEqual(kpis);
    expect(oracleDailyKpis(complaintLog().events, '2026-03-10', UTC, 'am-2')).toMatchObject({
      complaintsReceived: 0,
      complaintsResolved: 0,
      openComplaints: 0,
      medianHoursToAcknowledge: null,
      medianHoursToResolve: null,
    });
  });

  it('counts a reopened complaint as open again, but its second resolution is not a first resolution', () => {
    const log = complaintLog();
    log.add('ComplaintReopened', 'c1', '2026-03-12T09:00:00.000Z', { complaintId: 'k1' });
    // A second receipt of k1 is ignored: the complaint was received on 03-10.
    log.add('ComplaintReceived', 'c1', '2026-03-12T09:05:00.000Z', { complaintId: 'k1', channel: 'call' });
    log.add('ComplaintResolved', 'c1', '2026-03-13T09:00:00.000Z', { complaintId: 'k1' });

    // 03-11: k2 first resolved, 03-09 22:00 -> 03-11 10:00 = 36 h; open k3, k5.
    expect(oracleDailyKpis(log.events, '2026-03-11', UTC)).toMatchObject({
      complaintsReceived: 0,
      complaintsResolved: 1,
      medianHoursToResolve: 36,
      medianHoursToAcknowledge: null,
      openComplaints: 2,
    });
    // 03-12: k1 reopened -> open k1, k3, k5; nothing received.
    expect(oracleDailyKpis(log.events, '2026-03-12', UTC)).toMatchObject({
      complaintsReceived: 0,
      complaintsResolved: 0,
      openComplaints: 3,
    });
    // 03-13: k1 resolved again, which is not its first resolution.
    expect(oracleDailyKpis(log.events, '2026-03-13', UTC)).toMatchObject({
      complaintsResolved: 0,
      medianHoursToResolve: null,
      openComplaints: 2,
    });
  });
});

describe('NPS', () => {
  it('uses the answers dated D-89 .. D and gives no NPS for an empty window', () => {
    const log = newLog();
    log.onboard('c1', '2026-01-01T09:00:00.000Z');
    // D = 06-30: D-90 = 04-01 (out), D-89 = 04-02 (in).
    log.add('NpsResponded', 'c1', '2026-04-01T12:00:00.000Z', { score: 0 });
    log.add('NpsResponded', 'c1', '2026-04-02T12:00:00.000Z', { score: 10 });
    log.add('NpsResponded', 'c1', '2026-05-15T12:00:00.000Z', { score: 7 });
    log.add('NpsResponded', 'c1', '2026-06-30T12:00:00.000Z', { score: 8 });

    // 10, 7, 8: 1 promoter, 2 passives -> 100 x 1/3 = 33.33 -> 33.3.
    expect(oracleDailyKpis(log.events, '2026-06-30', UTC)).toMatchObject({
      npsResponses: 3,
      promoters: 1,
      passives: 2,
      detractors: 0,
      nps: 33.3,
    });
    // 07-01: the 10 of 04-02 leaves; 7 and 8 -> 0 (not none).
    expect(oracleDailyKpis(log.events, '2026-07-01', UTC)).toMatchObject({ npsResponses: 2, nps: 0 });
    // 09-27 = 06-30 + 89: only the 8 is left.
    expect(oracleDailyKpis(log.events, '2026-09-27', UTC)).toMatchObject({
      npsResponses: 1,
      passives: 1,
      nps: 0,
    });
    // 09-28 = 06-30 + 90: empty window.
    expect(oracleDailyKpis(log.events, '2026-09-28', UTC)).toMatchObject({
      npsResponses: 0,
      promoters: 0,
      passives: 0,
      detractors: 0,
      nps: null,
    });
    // Before any answer: 03-01's window 12-02 .. 03-01 holds none.
    expect(oracleDailyKpis(log.events, '2026-03-01', UTC).nps).toBeNull();
    // 04-01: only the 0 -> 1 detractor -> -100.
    expect(oracleDailyKpis(log.events, '2026-04-01', UTC)).toMatchObject({ detractors: 1, nps: -100 });
  });
});

describe('promises', () => {
  it('leaves out promises cancelled before their dueAt, not those cancelled at or after it', () => {
    const log = newLog();
    log.onboard('c1', '2026-01-01T09:00:00.000Z');
    const make = (promiseId: string, occurredAt: string, dueAt: string) =>
      log.add('PromiseMade', 'c1', occurredAt, { promiseId, description: 'call back', dueAt });
    // p1: cancelled a minute before its dueAt -> not due.
    make('p1', '2026-03-01T09:00:00.000Z', '2026-03-05T12:00:00.000Z');
    log.add('PromiseCancelled', 'c1', '2026-03-05T11:59:00.000Z', { promiseId: 'p1' });
    // p2: cancelled exactly at its dueAt and again the next day -> due, not kept.
    make('p2', '2026-03-01T09:00:00.000Z', '2026-03-05T12:00:00.000Z');
    log.add('PromiseCancelled', 'c1', '2026-03-05T12:00:00.000Z', { promiseId: 'p2' });
    log.add('PromiseCancelled', 'c1', '2026-03-06T08:00:00.000Z', { promiseId: 'p2' });
    // p2 made again with another dueAt: ignored, the first making counts.
    make('p2', '2026-03-02T09:00:00.000Z', '2026-03-07T12:00:00.000Z');
    // p3: kept exactly at its dueAt -> on time.
    make('p3', '2026-03-02T09:00:00.000Z', '2026-03-05T15:00:00.000Z');
    log.add('PromiseKept', 'c1', '2026-03-05T15:00:00.000Z', { promiseId: 'p3' });
    // p4: kept one second late.
    make('p4', '2026-03-02T09:00:00.000Z', '2026-03-05T18:00:00.000Z');
    log.add('PromiseKept', 'c1', '2026-03-05T18:00:01.000Z', { promiseId: 'p4' });
    // p5: due on 03-06.
    make('p5', '2026-03-02T09:00:00.000Z', '2026-03-06T01:00:00.000Z');
    // p6: due on 03-05 but made only on 03-06 -> not due on 03-05.
    make('p6', '2026-03-06T09:00:00.000Z', '2026-03-05T10:00:00.000Z');

    // 03-05: p2, p3, p4 due; p3 kept on time.
    expect(oracleDailyKpis(log.events, '2026-03-05', UTC)).toMatchObject({
      promisesDue: 3,
      promisesKeptOnTime: 1,
    });
    expect(oracleDailyKpis(log.events, '2026-03-06', UTC)).toMatchObject({
      promisesDue: 1,
      promisesKeptOnTime: 0,
    });
    expect(oracleDailyKpis(log.events, '2026-03-07', UTC)).toMatchObject({
      promisesDue: 0,
      promisesKeptOnTime: 0,
    });
  });
});

describe('retention', () => {
  it('follows the customers active at the end of D-90, under their manager of then', () => {
    const log = newLog();
    // D = 06-30, D-90 = 04-01.
    log.onboard('c1', '2026-01-10T09:00:00.000Z', 'am-1');
    log.add('CustomerChurned', 'c1', '2026-05-01T09:00:00.000Z');
    log.onboard('c2', '2026-02-01T09:00:00.000Z', 'am-1');
    log.onboard('c3', '2026-03-01T09:00:00.000Z', 'am-2');
    log.add('CustomerChurned', 'c3', '2026-03-15T09:00:00.000Z');
    log.add('CustomerReactivated', 'c3', '2026-06-01T09:00:00.000Z');
    log.onboard('c4', '2026-04-02T09:00:00.000Z', 'am-1');
    log.onboard('c5', '2026-03-20T09:00:00.000Z', 'am-2');
    log.add('AccountManagerAssigned', 'c5', '2026-05-01T09:00:00.000Z', { accountManagerId: 'am-1' });

    // Active at the end of 04-01: c1 (am-1), c2 (am-1), c5 (am-2); c3 churned, c4 not yet onboarded.
    // Active at the end of 06-30: c2, c3, c4, c5 (c1 churned).
    const org = oracleDailyKpis(log.events, '2026-06-30', UTC);
    expect(org.retentionRate90d).toBe(2 / 3); // c2, c5 of c1, c2, c5
    expect(org.activeCustomers).toBe(4);
    expect(oracleDailyKpis(log.events, '2026-06-30', UTC, 'am-1')).toMatchObject({
      retentionRate90d: 0.5, // c2 of c1, c2
      activeCustomers: 3, // c2, c4, c5
    });
    expect(oracleDailyKpis(log.events, '2026-06-30', UTC, 'am-2')).toMatchObject({
      retentionRate90d: 1, // c5 of c5, now am-1's
      activeCustomers: 1, // c3
    });
    expect(oracleDailyKpis(log.events, '2026-06-30', UTC, 'am-3').retentionRate90d).toBeNull();
    // D-90 = 01-01: nobody was active yet.
    expect(oracleDailyKpis(log.events, '2026-04-01', UTC).retentionRate90d).toBeNull();
    // Churn events count on their own day, for the manager of that day.
    expect(oracleDailyKpis(log.events, '2026-05-01', UTC).churned).toBe(1);
    expect(oracleDailyKpis(log.events, '2026-05-01', UTC, 'am-1').churned).toBe(1);
    expect(oracleDailyKpis(log.events, '2026-03-15', UTC, 'am-2').churned).toBe(1);
    expect(oracleDailyKpis(log.events, '2026-03-15', UTC, 'am-1').churned).toBe(0);
  });
});

describe('account managers', () => {
  it('counts a day for the manager that owns the customer at its end, and NPS answers by their own day', () => {
    const log = newLog();
    log.onboard('c1', '2026-03-01T10:00:00.000Z', 'am-1');
    log.add('NpsResponded', 'c1', '2026-03-05T12:00:00.000Z', { score: 10 });
    log.add('ComplimentReceived', 'c1', '2026-03-10T09:00:00.000Z', { channel: 'email' });
    log.add('NpsResponded', 'c1', '2026-03-10T08:00:00.000Z', { score: 2 });
    // Arrives late, dated before the compliment and the answer: am-2 owns c1 all of 03-10.
    log.add('AccountManagerAssigned', 'c1', '2026-03-10T12:00:00.000Z', { accountManagerId: 'am-2' });
    log.add('DelightMomentRecorded', 'c1', '2026-03-10T15:00:00.000Z', {
      kind: 'unprompted',
      description: 'x',
    });
    // Two assignments at the same instant: the later in the log wins (am-1).
    log.add('AccountManagerAssigned', 'c1', '2026-03-11T09:00:00.000Z', { accountManagerId: 'am-3' });
    log.add('AccountManagerAssigned', 'c1', '2026-03-11T09:00:00.000Z', { accountManagerId: 'am-1' });
    log.add('ComplimentReceived', 'c1', '2026-03-11T10:00:00.000Z', { channel: 'call' });
    // c2: compliment before its onboarding on the same day: counts (onboarded by the end of 03-10).
    log.add('ComplimentReceived', 'c2', '2026-03-10T08:00:00.000Z', { channel: 'email' });
    log.onboard('c2', '2026-03-10T20:00:00.000Z', 'am-1');
    // c3 is never onboarded; c4 only on 03-11: their 03-10 compliments count nowhere.
    log.add('ComplimentReceived', 'c3', '2026-03-10T10:00:00.000Z', { channel: 'email' });
    log.add('NpsResponded', 'c3', '2026-03-10T10:00:00.000Z', { score: 9 });
    log.add('ComplimentReceived', 'c4', '2026-03-10T23:00:00.000Z', { channel: 'email' });
    log.onboard('c4', '2026-03-11T01:00:00.000Z', 'am-1');

    const on = (day: string, manager?: string) => oracleDailyKpis(log.events, day, UTC, manager);
    expect(on('2026-03-10')).toMatchObject({ compliments: 2, delightMoments: 1 }); // c1, c2
    expect(on('2026-03-10', 'am-1')).toMatchObject({ compliments: 1, delightMoments: 0 }); // c2
    expect(on('2026-03-10', 'am-2')).toMatchObject({ compliments: 1, delightMoments: 1 }); // c1
    expect(on('2026-03-11')).toMatchObject({ compliments: 1 }); // c1 (c4's is dated 03-10)
    expect(on('2026-03-11', 'am-1')).toMatchObject({ compliments: 1 });
    expect(on('2026-03-11', 'am-3')).toMatchObject({ compliments: 0, activeCustomers: 0 });

    // 03-12: the 10 of 03-05 is am-1's (c1's manager then), the 2 of 03-10 am-2's; c3's counts nowhere.
    expect(on('2026-03-12')).toMatchObject({ npsResponses: 2, promoters: 1, detractors: 1, nps: 0 });
    expect(on('2026-03-12', 'am-1')).toMatchObject({ npsResponses: 1, promoters: 1, nps: 100 });
    expect(on('2026-03-12', 'am-2')).toMatchObject({ npsResponses: 1, detractors: 1, nps: -100 });
    // ...while the book follows today's manager: c1, c2, c4 are all am-1's on 03-12.
    expect(on('2026-03-12', 'am-1').activeCustomers).toBe(3);
    expect(on('2026-03-12', 'am-2').activeCustomers).toBe(0);
  });
});

describe("a day boundary in St John's (UTC-3:30 in winter)", () => {
  function boundaryLog() {
    const log = newLog();
    log.onboard('c1', '2026-02-15T12:00:00.000Z', 'am-1');
    // 2026-03-01 23:30 local: onboarded on 03-01 in St John's, 03-02 in UTC.
    log.onboard('c2', '2026-03-02T03:00:00.000Z', 'am-1');
    const delight = (customerId: string, occurredAt: string, actorId: string) =>
      log.add(
        'DelightMomentRecorded',
        customerId,
        occurredAt,
        { kind: 'unprompted', description: 'x' },
        actorId,
      );
    delight('c1', '2026-02-26T15:00:00.000Z', 'emp-1'); // local 02-26
    delight('c9', '2026-02-27T15:00:00.000Z', 'emp-1'); // local 02-27, but c9 is never onboarded
    delight('c1', '2026-02-27T16:00:00.000Z', 'emp-2'); // local 02-27, someone else
    delight('c1', '2026-02-28T15:00:00.000Z', 'emp-1'); // local 02-28
    delight('c1', '2026-03-02T03:29:59.999Z', 'emp-1'); // local 03-01 23:59:59.999
    delight('c1', '2026-03-02T03:30:00.000Z', 'emp-1'); // local 03-02 00:00
    log.add('ComplimentReceived', 'c1', '2026-03-01T03:29:00.000Z', { channel: 'email' }); // local 02-28 23:59
    return log;
  }

  it('dates events and onboardings by the local day', () => {
    const { events } = boundaryLog();
    expect(oracleDailyKpis(events, '2026-02-28', ST_JOHNS)).toMatchObject({
      compliments: 1,
      delightMoments: 1,
    });
    expect(oracleDailyKpis(events, '2026-03-01', ST_JOHNS)).toMatchObject({
      compliments: 0,
      delightMoments: 1,
      activeCustomers: 2,
    });
    expect(oracleDailyKpis(events, '2026-03-02', ST_JOHNS)).toMatchObject({ delightMoments: 1 });
    // The same events in UTC: both late moments fall on 03-02, the compliment on 03-01, c2 not yet onboarded on 03-01.
    expect(oracleDailyKpis(events, '2026-03-01', UTC)).toMatchObject({
      compliments: 1,
      delightMoments: 0,
      activeCustomers: 1,
    });
    expect(oracleDailyKpis(events, '2026-03-02', UTC)).toMatchObject({
      delightMoments: 2,
      activeCustomers: 2,
    });
  });

  it('counts a streak of local days, skipping moments for customers not onboarded', () => {
    const { events } = boundaryLog();
    // emp-1 counts on 02-26, 02-28, 03-01, 03-02 (02-27's is for c9, not onboarded).
    expect(oracleStreak(events, 'emp-1', '2026-03-02', ST_JOHNS)).toBe(3);
    expect(oracleStreak(events, 'emp-1', '2026-03-01', ST_JOHNS)).toBe(2);
    expect(oracleStreak(events, 'emp-1', '2026-02-26', ST_JOHNS)).toBe(1);
    expect(oracleStreak(events, 'emp-1', '2026-03-03', ST_JOHNS)).toBe(0);
    expect(oracleStreak(events, 'emp-2', '2026-02-27', ST_JOHNS)).toBe(1);
    expect(oracleStreak(events, 'emp-2', '2026-02-28', ST_JOHNS)).toBe(0);
    // In UTC, emp-1's moments fall on 02-26, 02-28 and 03-02 (twice): no moment on 03-01.
    expect(oracleStreak(events, 'emp-1', '2026-03-02', UTC)).toBe(1);
    expect(oracleStreak(events, 'emp-1', '2026-03-01', UTC)).toBe(0);
  });
});
