// Hand-worked checks of the oracle against docs/rules.md, and of the random
// history generator against docs/api/events.md. Every expected value below was worked
// out on paper from the rules; the comments show the sums.
import { describe, expect, it } from 'vitest';
import {
  defaultContext,
  endOfDay,
  localDate,
  type OracleContext,
  type OracleEvent,
  oracleBook,
  oracleRelationship,
} from './domain-oracle.ts';
import { type HistoryEvent, randomHistory } from './random-history.ts';

const UTC = defaultContext('UTC');

/** An event log: events get positions in the order they are added (arrival order). */
function newLog(customerId = 'cust-1') {
  const events: OracleEvent[] = [];
  const add = (
    type: string,
    occurredAt: string,
    data: Record<string, unknown> = {},
    customer = customerId,
  ) => {
    const position = String(events.length + 1).padStart(8, '0');
    const event = { id: `e-${position}`, type, customerId: customer, occurredAt, data, position };
    events.push(event);
    return event;
  };
  return { events, add };
}

const relationshipOn = (events: OracleEvent[], day: string, ctx: OracleContext = UTC) =>
  oracleRelationship(events, day, ctx);

describe('localDate and endOfDay', () => {
  it('in UTC, a day ends at the next midnight', () => {
    expect(localDate('2026-03-01T23:59:59.999Z', 'UTC')).toBe('2026-03-01');
    expect(endOfDay('2026-03-01', 'UTC')).toBe('2026-03-02T00:00:00.000Z');
  });

  it('in Amsterdam, a day ends at 23:00 UTC in winter and 22:00 UTC in summer, across both DST changes', () => {
    expect(localDate('2026-01-15T22:59:59.999Z', 'Europe/Amsterdam')).toBe('2026-01-15');
    expect(localDate('2026-01-15T23:00:00.000Z', 'Europe/Amsterdam')).toBe('2026-01-16');
    // Clocks go forward on Sunday 2026-03-29: a day of 23 hours.
    expect(endOfDay('2026-03-28', 'Europe/Amsterdam')).toBe('2026-03-28T23:00:00.000Z');
    expect(endOfDay('2026-03-29', 'Europe/Amsterdam')).toBe('2026-03-29T22:00:00.000Z');
    // Clocks go back on Sunday 2026-10-25: a day of 25 hours.
    expect(endOfDay('2026-10-24', 'Europe/Amsterdam')).toBe('2026-10-24T22:00:00.000Z');
    expect(endOfDay('2026-10-25', 'Europe/Amsterdam')).toBe('2026-10-25T23:00:00.000Z');
  });

  it("in St John's, a day ends at 03:30 UTC (NST) or 02:30 UTC (NDT)", () => {
    expect(localDate('2026-03-01T03:29:59.999Z', 'America/St_Johns')).toBe('2026-02-28');
    expect(localDate('2026-03-01T03:30:00.000Z', 'America/St_Johns')).toBe('2026-03-01');
    // DST starts on the second Sunday of March, 2026-03-08.
    expect(endOfDay('2026-03-07', 'America/St_Johns')).toBe('2026-03-08T03:30:00.000Z');
    expect(endOfDay('2026-03-08', 'America/St_Johns')).toBe('2026-03-09T02:30:00.000Z');
  });

  it('when the next local day is skipped (Samoa, 2011-12-30), the day ends where the one after begins', () => {
    // Thursday 2011-12-29 24:00 at UTC-10 was followed by Saturday 2011-12-31 00:00 at UTC+14.
    expect(endOfDay('2011-12-29', 'Pacific/Apia')).toBe('2011-12-30T10:00:00.000Z');
    expect(endOfDay('2011-12-30', 'Pacific/Apia')).toBe('2011-12-30T10:00:00.000Z');
    expect(localDate('2011-12-30T10:00:00.000Z', 'Pacific/Apia')).toBe('2011-12-31');
  });

  it.each([
    'Europe/Amsterdam',
    'America/St_Johns',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'America/Sao_Paulo',
  ])('in %s, every day of 2018-2027 ends exactly where the local date changes', (zone) => {
    for (
      let ms = Date.parse('2018-01-01T00:00:00Z');
      ms < Date.parse('2028-01-01T00:00:00Z');
      ms += 86_400_000
    ) {
      const day = new Date(ms).toISOString().slice(0, 10);
      const end = Date.parse(endOfDay(day, zone));
      expect(localDate(new Date(end - 1).toISOString(), zone), day).toBe(day);
      expect(localDate(new Date(end).toISOString(), zone) > day, day).toBe(true);
    }
  });

  it('keeps four-digit years below 1000', () => {
    expect(localDate('0099-06-01T12:00:00.000Z', 'UTC')).toBe('0099-06-01');
    expect(endOfDay('0099-12-31', 'UTC')).toBe('0100-01-01T00:00:00.000Z');
  });
});

describe('oracleRelationship', () => {
  it('is null until the end of the day of onboarding', () => {
    const { events, add } = newLog();
    add('ContactLogged', '2026-01-01T10:00:00.000Z', { channel: 'call', direction: 'inbound' });
    add('CustomerOnboarded', '2026-01-05T10:00:00.000Z', { name: 'Jansen BV', accountManagerId: 'am-1' });
    expect(relationshipOn(events, '2026-01-04')).toBeNull();
    expect(relationshipOn(events, '2026-01-05')?.onboardedAt).toBe('2026-01-05T10:00:00.000Z');
  });

  it('gives every field of a simple relationship', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-05T10:00:00.000Z', {
      name: 'Jansen BV',
      tier: 'key',
      accountManagerId: 'am-1',
    });
    add('ContactLogged', '2026-01-10T09:00:00.000Z', { channel: 'call', direction: 'outbound' });
    // Jan 10 -> Jan 31 is 21 days: key tier goes quiet at 21.
    expect(relationshipOn(events, '2026-01-31')).toEqual({
      customerId: 'cust-1',
      name: 'Jansen BV',
      tier: 'key',
      accountManagerId: 'am-1',
      segment: null,
      contractValue: null,
      onboardedAt: '2026-01-05T10:00:00.000Z',
      lastContactAt: '2026-01-10T09:00:00.000Z',
      daysSinceContact: 21,
      status: 'GOING_QUIET',
      openComplaints: 0,
      lastNpsScore: null,
      lastNpsAt: null,
      typicalContactGapDays: null, // contact days Jan 5 and Jan 10: one gap only
      beyondCadence: false,
      openPromises: 0,
      overduePromises: 0,
      lastDelightAt: null,
    });
  });

  it.each([
    // tier, last ACTIVE day, first GOING_QUIET day, first NEGLECTED day; onboarded 2026-01-01, no contact since
    ['strategic', '2026-01-14', '2026-01-15', '2026-01-31'], // 13, 14, 30 days
    ['key', '2026-01-21', '2026-01-22', '2026-02-15'], // 20, 21, 45
    [undefined, '2026-01-30', '2026-01-31', '2026-03-02'], // standard by default: 29, 30, 60
    ['long-tail', '2026-03-01', '2026-03-02', '2026-05-01'], // 59, 60, 120
  ])('tier %s: ACTIVE until %s, GOING_QUIET from %s, NEGLECTED from %s', (tier, active, quiet, neglected) => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T12:00:00.000Z', {
      name: 'X',
      accountManagerId: 'am-1',
      ...(tier ? { tier } : {}),
    });
    expect(relationshipOn(events, active)?.status).toBe('ACTIVE');
    expect(relationshipOn(events, quiet)?.status).toBe('GOING_QUIET');
    expect(relationshipOn(events, neglected)?.status).toBe('NEGLECTED');
    expect(relationshipOn(events, neglected)?.tier).toBe(tier ?? 'standard');
  });

  it('counts an event for the local day of the organisation zone', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T12:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    // 23:30 UTC is 00:30 on Jan 10 in Amsterdam (CET, UTC+1).
    add('ContactLogged', '2026-01-09T23:30:00.000Z', { channel: 'call', direction: 'inbound' });
    const amsterdam = defaultContext('Europe/Amsterdam');
    expect(relationshipOn(events, '2026-01-09', amsterdam)).toMatchObject({
      lastContactAt: '2026-01-01T12:00:00.000Z',
      daysSinceContact: 8,
    });
    expect(relationshipOn(events, '2026-01-10', amsterdam)).toMatchObject({
      lastContactAt: '2026-01-09T23:30:00.000Z',
      daysSinceContact: 0,
    });
    expect(relationshipOn(events, '2026-01-09', UTC)?.daysSinceContact).toBe(0);
  });

  it('onboards once: a later onboarding is ignored whole, an earlier-dated one that arrives late takes over', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-10T10:00:00.000Z', {
      name: 'First',
      tier: 'key',
      accountManagerId: 'am-1',
      segment: 'retail',
    });
    add('CustomerOnboarded', '2026-01-20T10:00:00.000Z', {
      name: 'Second',
      tier: 'strategic',
      accountManagerId: 'am-2',
      segment: 'public',
      contractValue: 900,
    });
    expect(relationshipOn(events, '2026-01-25')).toMatchObject({
      name: 'First',
      tier: 'key',
      accountManagerId: 'am-1',
      segment: 'retail',
      contractValue: null,
      onboardedAt: '2026-01-10T10:00:00.000Z',
      daysSinceContact: 15, // the second onboarding is no contact
    });

    add('CustomerOnboarded', '2026-01-05T10:00:00.000Z', {
      name: 'Zero',
      tier: 'long-tail',
      accountManagerId: 'am-3',
    });
    expect(relationshipOn(events, '2026-01-25')).toMatchObject({
      name: 'Zero',
      tier: 'long-tail',
      accountManagerId: 'am-3',
      segment: null,
      onboardedAt: '2026-01-05T10:00:00.000Z',
      daysSinceContact: 20,
    });
    expect(relationshipOn(events, '2026-01-07')?.daysSinceContact).toBe(2);
    expect(relationshipOn(events, '2026-01-04')).toBeNull();
  });

  it('takes the latest tier and manager, ties broken by log position whatever the array order', () => {
    const { events, add } = newLog();
    add('AccountManagerAssigned', '2025-12-31T10:00:00.000Z', { accountManagerId: 'am-9' }); // older than onboarding
    add('CustomerOnboarded', '2026-01-01T00:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    add('CustomerTierChanged', '2026-01-02T08:00:00.000Z', { tier: 'strategic' });
    add('CustomerTierChanged', '2026-01-02T08:00:00.000Z', { tier: 'key' });
    add('AccountManagerAssigned', '2026-01-03T08:00:00.000Z', { accountManagerId: 'am-2' });
    add('AccountManagerAssigned', '2026-01-03T08:00:00.000Z', { accountManagerId: 'am-3' });
    const reversed = [...events].reverse();
    expect(relationshipOn(reversed, '2026-01-02')).toMatchObject({ tier: 'key', accountManagerId: 'am-1' });
    expect(relationshipOn(reversed, '2026-01-03')).toMatchObject({ tier: 'key', accountManagerId: 'am-3' });
  });

  it('counts a re-sent event (same id) once, at its first position', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T00:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    const first = add('AccountManagerAssigned', '2026-01-03T08:00:00.000Z', { accountManagerId: 'am-2' });
    add('AccountManagerAssigned', '2026-01-03T08:00:00.000Z', { accountManagerId: 'am-3' });
    events.push({ ...first, position: '00000004' });
    expect(relationshipOn(events, '2026-01-03')?.accountManagerId).toBe('am-3');
  });

  it('keeps the latest name, segment and contract value that were set', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', {
      name: 'A',
      accountManagerId: 'am-1',
      segment: 'retail',
      contractValue: 1000,
    });
    add('CustomerProfileUpdated', '2026-01-02T10:00:00.000Z', { segment: 'public' });
    add('ContractRenewed', '2026-01-03T10:00:00.000Z', { contractValue: 2000 });
    add('ContractRenewed', '2026-01-04T10:00:00.000Z', {});
    add('CustomerProfileUpdated', '2026-01-05T10:00:00.000Z', { name: 'B' });
    add('CustomerProfileUpdated', '2026-01-06T10:00:00.000Z', { contractValue: 0 });
    expect(relationshipOn(events, '2026-01-01')).toMatchObject({
      name: 'A',
      segment: 'retail',
      contractValue: 1000,
    });
    expect(relationshipOn(events, '2026-01-04')).toMatchObject({
      name: 'A',
      segment: 'public',
      contractValue: 2000,
    });
    expect(relationshipOn(events, '2026-01-06')).toMatchObject({
      name: 'B',
      segment: 'public',
      contractValue: 0,
    });
  });

  it('ignores contacts before onboarding and events that are no contacts', () => {
    const { events, add } = newLog();
    add('ContactLogged', '2026-01-31T09:00:00.000Z', { channel: 'call', direction: 'inbound' });
    add('CustomerOnboarded', '2026-02-01T09:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    add('NpsResponded', '2026-02-10T09:00:00.000Z', { score: 9 });
    add('PromiseMade', '2026-02-11T09:00:00.000Z', {
      promiseId: 'p1',
      description: 'call',
      dueAt: '2026-03-01T00:00:00Z',
    });
    add('CustomerTierChanged', '2026-02-12T09:00:00.000Z', { tier: 'key' });
    expect(relationshipOn(events, '2026-02-15')).toMatchObject({
      lastContactAt: '2026-02-01T09:00:00.000Z',
      daysSinceContact: 14,
      lastNpsScore: 9,
      lastNpsAt: '2026-02-10T09:00:00.000Z',
      openPromises: 1,
    });
  });

  it.each([
    ['ContactLogged', { channel: 'call', direction: 'outbound' }],
    ['ComplaintReceived', { complaintId: 'c1', channel: 'email' }],
    ['ComplaintAcknowledged', { complaintId: 'c1' }],
    ['ComplaintUpdateSent', { complaintId: 'c1' }],
    ['ComplaintResolved', { complaintId: 'c1' }],
    ['ComplimentReceived', { channel: 'email' }],
    ['DelightMomentRecorded', { kind: 'unprompted', description: 'flowers' }],
  ])('%s is a contact', (type, data) => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-02-01T09:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    add(type, '2026-02-05T09:00:00.000Z', data);
    expect(relationshipOn(events, '2026-02-15')).toMatchObject({
      lastContactAt: '2026-02-05T09:00:00.000Z',
      daysSinceContact: 10,
    });
  });

  it('is CHURNED while the latest churn/renewal/reactivation is a churn, even one dated before onboarding', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    add('CustomerChurned', '2025-12-01T10:00:00.000Z');
    expect(relationshipOn(events, '2026-01-02')?.status).toBe('CHURNED');
    add('CustomerReactivated', '2026-01-03T10:00:00.000Z');
    expect(relationshipOn(events, '2026-01-02')?.status).toBe('CHURNED');
    expect(relationshipOn(events, '2026-01-03')?.status).toBe('ACTIVE');
    // Same instant: the later position decides.
    add('ContractRenewed', '2026-01-10T10:00:00.000Z');
    add('CustomerChurned', '2026-01-10T10:00:00.000Z');
    expect(relationshipOn(events, '2026-01-10')?.status).toBe('CHURNED');
    add('ContractRenewed', '2026-01-10T10:00:00.000Z');
    expect(relationshipOn(events, '2026-01-10')?.status).toBe('ACTIVE');
  });

  it('counts open complaints by complaintId through resolve and reopen', () => {
    const { events, add } = newLog();
    add('ComplaintReceived', '2025-12-20T10:00:00.000Z', { complaintId: 'c0', channel: 'call' }); // before onboarding
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    add('ComplaintReceived', '2026-01-02T10:00:00.000Z', { complaintId: 'c1', channel: 'call' });
    add('ComplaintReceived', '2026-01-03T10:00:00.000Z', { complaintId: 'c2', channel: 'call' });
    add('ComplaintReceived', '2026-01-04T10:00:00.000Z', { complaintId: 'c2', channel: 'email' }); // same complaint
    add('ComplaintResolved', '2026-01-05T10:00:00.000Z', { complaintId: 'c0' });
    add('ComplaintResolved', '2026-01-06T10:00:00.000Z', { complaintId: 'c1' });
    add('ComplaintReopened', '2026-01-08T10:00:00.000Z', { complaintId: 'c1' });
    add('ComplaintResolved', '2026-01-01T09:00:00.000Z', { complaintId: 'c3' }); // dated before its receipt
    add('ComplaintReceived', '2026-01-09T10:00:00.000Z', { complaintId: 'c3', channel: 'call' });
    add('ComplaintReopened', '2026-01-09T10:00:00.000Z', { complaintId: 'c4' }); // never received
    expect(relationshipOn(events, '2026-01-01')?.openComplaints).toBe(1); // c0
    expect(relationshipOn(events, '2026-01-04')?.openComplaints).toBe(3); // c0, c1, c2
    expect(relationshipOn(events, '2026-01-05')?.openComplaints).toBe(2); // c1, c2
    expect(relationshipOn(events, '2026-01-06')?.openComplaints).toBe(1); // c2
    expect(relationshipOn(events, '2026-01-08')?.openComplaints).toBe(2); // c1 reopened, c2
    expect(relationshipOn(events, '2026-01-09')?.openComplaints).toBe(2); // c3 is resolved
  });

  it('takes the latest NPS answer, also one before onboarding', () => {
    const { events, add } = newLog();
    add('NpsResponded', '2025-12-20T10:00:00.000Z', { score: 3 });
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    expect(relationshipOn(events, '2026-01-01')).toMatchObject({
      lastNpsScore: 3,
      lastNpsAt: '2025-12-20T10:00:00.000Z',
    });
    add('NpsResponded', '2026-01-05T10:00:00.000Z', { score: 10 });
    add('NpsResponded', '2026-01-05T10:00:00.000Z', { score: 6 });
    expect(relationshipOn(events, '2026-01-05')?.lastNpsScore).toBe(6);
  });

  it('derives the typical contact gap from distinct contact days and flags silence beyond it', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    for (const at of ['01-03T10', '01-08T10', '01-10T10', '01-10T15', '01-20T10']) {
      add('ContactLogged', `2026-${at}:00:00.000Z`, { channel: 'call', direction: 'outbound' });
    }
    // Jan 9: days 1, 3, 8: two gaps, too few.
    expect(relationshipOn(events, '2026-01-09')).toMatchObject({
      typicalContactGapDays: null,
      beyondCadence: false,
    });
    // Jan 18/19: days 1, 3, 8, 10: gaps 2, 5, 2, median 2; beyond needs >= 3 x 2 = 6 and >= 2 + 7 = 9 days.
    expect(relationshipOn(events, '2026-01-18')).toMatchObject({
      typicalContactGapDays: 2,
      daysSinceContact: 8,
    });
    expect(relationshipOn(events, '2026-01-18')?.beyondCadence).toBe(false);
    expect(relationshipOn(events, '2026-01-19')).toMatchObject({ daysSinceContact: 9, beyondCadence: true });
    // Jan 30/31: gaps 2, 5, 2, 10, median (2 + 5) / 2 = 3.5; beyond needs >= 10.5 days.
    expect(relationshipOn(events, '2026-01-30')).toMatchObject({
      typicalContactGapDays: 3.5,
      daysSinceContact: 10,
      beyondCadence: false,
    });
    expect(relationshipOn(events, '2026-01-31')).toMatchObject({ daysSinceContact: 11, beyondCadence: true });
    add('CustomerChurned', '2026-01-25T10:00:00.000Z', { reason: 'price' });
    expect(relationshipOn(events, '2026-01-31')).toMatchObject({ status: 'CHURNED', beyondCadence: false });
  });

  it('takes the median of the most recent gaps only', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    // Gaps 50, 40, then 1, 1, 1, 1, 2, 3, 3, 3.
    const days = ['02-20', '04-01', '04-02', '04-03', '04-04', '04-05', '04-07', '04-10', '04-13', '04-16'];
    for (const day of days)
      add('ContactLogged', `2026-${day}T10:00:00.000Z`, { channel: 'call', direction: 'inbound' });
    // Last 8 sorted: 1 1 1 1 | 2 3 3 3 -> (1 + 2) / 2. All ten would give (2 + 3) / 2.
    expect(relationshipOn(events, '2026-04-16')?.typicalContactGapDays).toBe(1.5);
    const lastThree = { ...UTC, cadence: { gaps: 3, factor: 3, minExtraDays: 7 } };
    expect(relationshipOn(events, '2026-04-16', lastThree)?.typicalContactGapDays).toBe(3);
  });

  it('counts open and overdue promises', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    const promise = (promiseId: string, at: string, dueAt: string) =>
      add('PromiseMade', at, { promiseId, description: 'call back', dueAt });
    promise('p1', '2026-01-02T10:00:00.000Z', '2026-01-05T12:00:00Z');
    promise('p2', '2026-01-02T11:00:00.000Z', '2026-01-10T00:00:00+01:00'); // 2026-01-09T23:00Z
    promise('p3', '2026-01-03T10:00:00.000Z', '2026-01-04T10:00:00Z');
    promise('p4', '2026-01-02T12:00:00.000Z', '2026-01-20T10:00:00Z');
    add('PromiseKept', '2026-01-02T09:00:00.000Z', { promiseId: 'p3' }); // dated before it was made
    add('PromiseCancelled', '2026-01-06T10:00:00.000Z', { promiseId: 'p4' });
    add('PromiseKept', '2026-01-07T10:00:00.000Z', { promiseId: 'p1' }); // late
    expect(relationshipOn(events, '2026-01-02')).toMatchObject({ openPromises: 3, overduePromises: 0 }); // p1 p2 p4
    expect(relationshipOn(events, '2026-01-05')).toMatchObject({ openPromises: 3, overduePromises: 1 }); // p1 due
    expect(oracleRelationship(events, '2026-01-05', UTC, '2026-01-05T12:00:00.000Z')?.overduePromises).toBe(
      0,
    );
    expect(oracleRelationship(events, '2026-01-05', UTC, '2026-01-05T12:00:00.001Z')?.overduePromises).toBe(
      1,
    );
    expect(relationshipOn(events, '2026-01-08')).toMatchObject({ openPromises: 1, overduePromises: 0 }); // p2
    expect(relationshipOn(events, '2026-01-09')).toMatchObject({ openPromises: 1, overduePromises: 1 });
  });

  it('remembers the last delight moment since onboarding', () => {
    const { events, add } = newLog();
    add('DelightMomentRecorded', '2026-01-05T10:00:00.000Z', { kind: 'unprompted', description: 'card' });
    add('CustomerOnboarded', '2026-01-10T10:00:00.000Z', { name: 'X', accountManagerId: 'am-1' });
    expect(relationshipOn(events, '2026-01-10')?.lastDelightAt).toBeNull();
    add('DelightMomentRecorded', '2026-01-12T10:00:00.000Z', { kind: 'unprompted', description: 'flowers' });
    expect(relationshipOn(events, '2026-01-13')).toMatchObject({
      lastDelightAt: '2026-01-12T10:00:00.000Z',
      lastContactAt: '2026-01-12T10:00:00.000Z',
    });
  });
});

describe('oracleBook', () => {
  it('lists onboarded customers by days since contact, then customerId in plain string order', () => {
    const { events, add } = newLog();
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'a', accountManagerId: 'am-1' }, 'cust-a');
    add('CustomerOnboarded', '2026-01-10T10:00:00.000Z', { name: 'c', accountManagerId: 'am-1' }, 'cust-c');
    add('CustomerOnboarded', '2026-01-01T10:00:00.000Z', { name: 'B', accountManagerId: 'am-1' }, 'cust-B');
    add('ContactLogged', '2026-01-01T10:00:00.000Z', { channel: 'call', direction: 'inbound' }, 'cust-d');
    // a and B: 10 days, c: 1 day; 'B' (66) sorts before 'a' (97).
    expect(oracleBook(events, '2026-01-11', UTC).map((r) => [r.customerId, r.daysSinceContact])).toEqual([
      ['cust-B', 10],
      ['cust-a', 10],
      ['cust-c', 1],
    ]);
  });
});

// --- the random history generator -------------------------------------------

const CHANNEL = ['call', 'email', 'meeting', 'visit', 'chat', 'letter', 'social', 'other'];
const str = (v: unknown) => typeof v === 'string';
const oneOf = (values: string[]) => (v: unknown) => typeof v === 'string' && values.includes(v);
const nonNegative = (v: unknown) => typeof v === 'number' && v >= 0;
const rfc3339 = (v: unknown) =>
  typeof v === 'string' &&
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) &&
  !Number.isNaN(Date.parse(v));
const tier = oneOf(['strategic', 'key', 'standard', 'long-tail']);
type Schema = Record<string, [required: boolean, valid: (v: unknown) => boolean]>;
// The event catalogue's data fields (docs/api/events.md), written out again here so the generator is checked against it.
const SCHEMAS: Record<string, Schema> = {
  CustomerOnboarded: {
    name: [true, str],
    tier: [false, tier],
    accountManagerId: [true, str],
    segment: [false, str],
    contractValue: [false, nonNegative],
  },
  CustomerProfileUpdated: { name: [false, str], segment: [false, str], contractValue: [false, nonNegative] },
  CustomerTierChanged: { tier: [true, tier] },
  AccountManagerAssigned: { accountManagerId: [true, str] },
  ContactLogged: {
    channel: [true, oneOf(CHANNEL)],
    direction: [true, oneOf(['inbound', 'outbound'])],
    touchpoint: [false, str],
    summary: [false, str],
  },
  ComplaintReceived: {
    complaintId: [true, str],
    channel: [true, oneOf(CHANNEL)],
    category: [false, str],
    severity: [false, oneOf(['low', 'medium', 'high'])],
    summary: [false, str],
  },
  ComplaintAcknowledged: { complaintId: [true, str] },
  ComplaintUpdateSent: { complaintId: [true, str], message: [false, str] },
  ComplaintResolved: { complaintId: [true, str], resolution: [false, str] },
  ComplaintReopened: { complaintId: [true, str], reason: [false, str] },
  RecoveryGestureMade: {
    complaintId: [true, str],
    kind: [true, oneOf(['apology', 'handwritten-card', 'flowers', 'gift', 'discount', 'refund', 'other'])],
    note: [false, str],
  },
  ComplaintFeedbackReceived: {
    complaintId: [true, str],
    satisfied: [true, (v) => typeof v === 'boolean'],
    improvement: [false, str],
  },
  ComplimentReceived: { channel: [true, oneOf(CHANNEL)], about: [false, str], summary: [false, str] },
  NpsResponded: {
    score: [true, (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10],
    touchpoint: [false, str],
    comment: [false, str],
  },
  PromiseMade: { promiseId: [true, str], description: [true, str], dueAt: [true, rfc3339] },
  PromiseKept: { promiseId: [true, str] },
  PromiseCancelled: { promiseId: [true, str], reason: [false, str] },
  DelightMomentRecorded: {
    kind: [true, oneOf(['unprompted', 'exception', 'saying-no', 'complaint-recovery', 'other'])],
    description: [true, str],
    declaredAsException: [false, (v) => typeof v === 'boolean'],
  },
  CustomerChurned: { reason: [false, str] },
  ContractRenewed: { contractValue: [false, nonNegative] },
  CustomerReactivated: {},
};

function envelopeProblems(e: HistoryEvent): string[] {
  const problems: string[] = [];
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.id))
    problems.push('id');
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(e.customerId)) problems.push('customerId');
  if (new Date(e.occurredAt).toISOString() !== e.occurredAt) problems.push('occurredAt');
  if (
    Object.keys(e).some((k) => !['id', 'type', 'customerId', 'occurredAt', 'actorId', 'data'].includes(k))
  ) {
    problems.push('envelope field');
  }
  const schema = SCHEMAS[e.type];
  if (!schema) return [...problems, `type ${e.type}`];
  for (const [field, [required, valid]] of Object.entries(schema)) {
    if (field in e.data ? !valid(e.data[field]) : required) problems.push(`data.${field}`);
  }
  for (const field of Object.keys(e.data)) if (!(field in schema)) problems.push(`unknown data.${field}`);
  if (e.type === 'CustomerProfileUpdated' && Object.keys(e.data).length === 0) problems.push('empty update');
  return problems;
}

describe('randomHistory', () => {
  const options = {
    seed: 7,
    customers: 40,
    eventsPerCustomer: 40,
    startDay: '2026-01-01',
    days: 240,
    managers: 4,
  };
  const history = randomHistory(options);
  const { events } = history;
  const withPositions = (list: HistoryEvent[]): OracleEvent[] =>
    list.map((e, i) => ({ ...e, position: String(i + 1).padStart(8, '0') }));

  it('is deterministic for a seed, and new ids under another prefix', () => {
    expect(randomHistory(options)).toEqual(history);
    expect(randomHistory({ ...options, seed: 8 }).events).not.toEqual(events);
    const other = randomHistory({ ...options, customerPrefix: 'run2-' }).events;
    expect(other.map((e) => [e.type, e.occurredAt])).toEqual(events.map((e) => [e.type, e.occurredAt]));
    const ids = new Set(events.map((e) => e.id));
    expect(other.filter((e) => ids.has(e.id))).toEqual([]);
    expect(other[0]?.customerId.startsWith('run2-')).toBe(true);
  });

  it('produces valid, unique envelopes', () => {
    expect(events.flatMap((e) => envelopeProblems(e).map((p) => `${e.type}: ${p}`))).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('covers every relationship-relevant type and the awkward cases', () => {
    const types = new Set(events.map((e) => e.type));
    for (const type of Object.keys(SCHEMAS)) expect(types, type).toContain(type);

    const byCustomer = Map.groupBy(events, (e) => e.customerId);
    const onboardings = [...byCustomer.values()].map((list) =>
      list.filter((e) => e.type === 'CustomerOnboarded'),
    );
    expect(onboardings.some((list) => list.length === 0)).toBe(true);
    expect(onboardings.some((list) => list.length > 1)).toBe(true);
    const before = [...byCustomer.values()].filter((list) => {
      const first = list.find((e) => e.type === 'CustomerOnboarded');
      return first && list.some((e) => Date.parse(e.occurredAt) < Date.parse(first.occurredAt));
    });
    expect(before.length).toBeGreaterThan(0);

    const made = new Map(events.filter((e) => e.type === 'PromiseMade').map((e) => [e.data.promiseId, e]));
    const kept = events.filter((e) => e.type === 'PromiseKept');
    const dueOf = (e: HistoryEvent) => Date.parse(String(made.get(e.data.promiseId)?.data.dueAt));
    expect(kept.some((e) => Date.parse(e.occurredAt) <= dueOf(e))).toBe(true);
    expect(kept.some((e) => Date.parse(e.occurredAt) > dueOf(e))).toBe(true);
    const madeAt = (e: HistoryEvent) => Date.parse(String(made.get(e.data.promiseId)?.occurredAt));
    expect(kept.some((e) => Date.parse(e.occurredAt) < madeAt(e))).toBe(true);
    expect([...made.values()].some((e) => !String(e.data.dueAt).endsWith('Z'))).toBe(true);

    const received = new Map<unknown, number>();
    for (const e of events.filter((e) => e.type === 'ComplaintReceived')) {
      received.set(
        e.data.complaintId,
        Math.min(received.get(e.data.complaintId) ?? Infinity, Date.parse(e.occurredAt)),
      );
    }
    const resolved = events.filter((e) => e.type === 'ComplaintResolved');
    expect(resolved.some((e) => Date.parse(e.occurredAt) < (received.get(e.data.complaintId) ?? 0))).toBe(
      true,
    );
    const sameInstant = events.filter(
      (e, i) =>
        i > 0 && e.customerId === events[i - 1]?.customerId && e.occurredAt === events[i - 1]?.occurredAt,
    );
    expect(sameInstant.length).toBeGreaterThan(0);

    const nearMidnight = events.filter((e) => {
      const hour = new Date(e.occurredAt).getUTCHours() + new Date(e.occurredAt).getUTCMinutes() / 60;
      return hour >= 21 || hour < 3.5;
    });
    expect(nearMidnight.length / events.length).toBeGreaterThan(0.4);
  });

  it('sends every event once, some late, and re-sends some identical copies', () => {
    const { events: sent, duplicates } = history.sendOrder;
    expect([...sent].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...events].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const late = sent.filter(
      (e, i) => i > 0 && Date.parse(e.occurredAt) < Date.parse(sent[i - 1]!.occurredAt),
    );
    expect(late.length).toBeGreaterThan(events.length / 20);
    expect(duplicates.length).toBeGreaterThan(0);
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const copy of duplicates) expect(copy).toEqual(byId.get(copy.id));
  });

  it('gives every status, beyond-cadence and overdue promises somewhere in the window (Amsterdam)', () => {
    const ctx = defaultContext('Europe/Amsterdam');
    const log = withPositions(history.sendOrder.events);
    const seen = new Set<string>();
    for (let d = 0; d <= 240; d += 10) {
      const day = new Date(Date.parse('2026-01-01T00:00:00Z') + d * 86_400_000).toISOString().slice(0, 10);
      for (const r of oracleBook(log, day, ctx)) {
        seen.add(r.status);
        if (r.beyondCadence) seen.add('beyondCadence');
        if (r.overduePromises > 0) seen.add('overdue');
        if (r.openComplaints > 0) seen.add('openComplaint');
      }
    }
    expect([...seen].sort()).toEqual([
      'ACTIVE',
      'CHURNED',
      'GOING_QUIET',
      'NEGLECTED',
      'beyondCadence',
      'openComplaint',
      'overdue',
    ]);
  });
});
