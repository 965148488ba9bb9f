import { describe, expect, it } from 'vitest';
import type { DomainEvent, Tier } from './event-catalogue.ts';
import type { PositionedEvent } from './relationship-fold.ts';
import { relationshipAsOf, statusFor } from './relationship-state.ts';
import { DEFAULT_TIER_POLICY } from './tier-policy.ts';

const utc = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };

/** Builds one customer's history; positions follow the order written (arrival order). */
function history() {
  const events: PositionedEvent[] = [];
  const add = (type: DomainEvent['type'], occurredAt: string, data: object = {}) => {
    events.push({
      id: `00000000-0000-4000-8000-${String(events.length).padStart(12, '0')}`,
      type,
      customerId: 'c-1',
      occurredAt: new Date(occurredAt).toISOString(),
      data,
      position: String(events.length).padStart(32, '0'),
    } as PositionedEvent);
    return api;
  };
  const api = {
    events,
    onboard: (at: string, tier: Tier = 'standard', accountManagerId = 'am-1', name = 'Acme') =>
      add('CustomerOnboarded', at, { name, tier, accountManagerId }),
    contact: (at: string) => add('ContactLogged', at, { channel: 'call', direction: 'outbound' }),
    add,
  };
  return api;
}

describe('relationship status thresholds per tier (given onboarding on 1 Jan and no contact since)', () => {
  it.each([
    ['strategic', 13, 'ACTIVE'],
    ['strategic', 14, 'GOING_QUIET'],
    ['strategic', 29, 'GOING_QUIET'],
    ['strategic', 30, 'NEGLECTED'],
    ['key', 20, 'ACTIVE'],
    ['key', 21, 'GOING_QUIET'],
    ['key', 44, 'GOING_QUIET'],
    ['key', 45, 'NEGLECTED'],
    ['standard', 29, 'ACTIVE'],
    ['standard', 30, 'GOING_QUIET'],
    ['standard', 59, 'GOING_QUIET'],
    ['standard', 60, 'NEGLECTED'],
    ['long-tail', 59, 'ACTIVE'],
    ['long-tail', 60, 'GOING_QUIET'],
    ['long-tail', 119, 'GOING_QUIET'],
    ['long-tail', 120, 'NEGLECTED'],
  ] as const)('%s after %i silent days is %s', (tier, days, status) => {
    const { events } = history().onboard('2026-01-01T09:00:00Z', tier);
    const day = new Date(Date.UTC(2026, 0, 1 + days)).toISOString().slice(0, 10);
    expect(relationshipAsOf(events, day, utc)).toMatchObject({ daysSinceContact: days, status });
  });

  it('uses the configured policy', () => {
    const policy = { ...DEFAULT_TIER_POLICY, standard: { quietAfter: 3, neglectedAfter: 5 } };
    expect(statusFor(3, 'standard', false, policy)).toBe('GOING_QUIET');
    expect(statusFor(5, 'standard', false, policy)).toBe('NEGLECTED');
    expect(statusFor(500, 'standard', true, policy)).toBe('CHURNED');
  });
});

describe('contacts and silence', () => {
  it('is absent before the onboarding day ends and starts the clock at onboarding', () => {
    const { events } = history().onboard('2026-01-01T23:00:00Z');
    expect(relationshipAsOf(events, '2025-12-31', utc)).toBeNull();
    expect(relationshipAsOf(events, '2026-01-01', utc)).toMatchObject({
      daysSinceContact: 0,
      lastContactAt: '2026-01-01T23:00:00.000Z',
      status: 'ACTIVE',
    });
  });

  it('counts every contact-bearing type and nothing else', () => {
    const contactTypes = [
      ['ContactLogged', { channel: 'email', direction: 'inbound' }],
      ['ComplaintReceived', { complaintId: 'k', channel: 'email' }],
      ['ComplaintAcknowledged', { complaintId: 'k' }],
      ['ComplaintUpdateSent', { complaintId: 'k' }],
      ['ComplaintResolved', { complaintId: 'k' }],
      ['ComplimentReceived', { channel: 'email' }],
      ['DelightMomentRecorded', { kind: 'unprompted', description: 'flowers' }],
    ] as const;
    for (const [type, data] of contactTypes) {
      const { events } = history().onboard('2026-01-01T09:00:00Z').add(type, '2026-01-20T09:00:00Z', data);
      expect(relationshipAsOf(events, '2026-02-01', utc)?.daysSinceContact, type).toBe(12);
    }
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('NpsResponded', '2026-01-20T09:00:00Z', { score: 10 })
      .add('PromiseMade', '2026-01-20T09:00:00Z', {
        promiseId: 'p',
        description: 'call',
        dueAt: '2026-01-21T09:00:00.000Z',
      })
      .add('PromiseKept', '2026-01-20T10:00:00Z', { promiseId: 'p' })
      .add('CustomerTierChanged', '2026-01-20T09:00:00Z', { tier: 'key' });
    expect(relationshipAsOf(events, '2026-02-01', utc)?.daysSinceContact).toBe(31);
  });

  it('never counts a contact dated before the onboarding', () => {
    const { events } = history().contact('2026-01-05T09:00:00Z').onboard('2026-01-10T09:00:00Z');
    expect(relationshipAsOf(events, '2026-01-20', utc)?.lastContactAt).toBe('2026-01-10T09:00:00.000Z');
  });

  it('counts an event for day D only when it happened by the end of D', () => {
    const { events } = history().onboard('2026-01-01T09:00:00Z').contact('2026-01-31T23:59:59Z');
    expect(relationshipAsOf(events, '2026-01-30', utc)).toMatchObject({ daysSinceContact: 29 });
    expect(relationshipAsOf(events, '2026-01-31', utc)).toMatchObject({ daysSinceContact: 0 });
  });

  it("dates contacts in the organisation zone: 23:30 in St. John's (-03:30) is the next UTC date", () => {
    const stJohns = { ...utc, timeZone: 'America/St_Johns' };
    // 2026-02-10 23:30 local (-03:30, before DST) is 2026-02-11T03:00Z.
    const { events } = history().onboard('2026-01-01T12:00:00Z').contact('2026-02-11T03:00:00Z');
    expect(relationshipAsOf(events, '2026-02-10', stJohns)).toMatchObject({
      lastContactAt: '2026-02-11T03:00:00.000Z',
      daysSinceContact: 0,
    });
    expect(relationshipAsOf(events, '2026-02-10', utc)?.lastContactAt).toBe('2026-01-01T12:00:00.000Z');
    expect(relationshipAsOf(events, '2026-02-11', utc)).toMatchObject({ daysSinceContact: 0 });
    expect(relationshipAsOf(events, '2026-02-20', stJohns)).toMatchObject({ daysSinceContact: 10 });
  });

  it('dates contacts in the organisation zone: 23:30 UTC is the next day in Amsterdam', () => {
    const { events } = history().onboard('2026-01-01T09:00:00Z').contact('2026-03-01T23:30:00Z');
    const amsterdam = { ...utc, timeZone: 'Europe/Amsterdam' };
    expect(relationshipAsOf(events, '2026-03-01', utc)).toMatchObject({ daysSinceContact: 0 });
    expect(relationshipAsOf(events, '2026-03-01', amsterdam)?.lastContactAt).toBe('2026-01-01T09:00:00.000Z');
    expect(relationshipAsOf(events, '2026-03-10', utc)).toMatchObject({ daysSinceContact: 9 });
    expect(relationshipAsOf(events, '2026-03-10', amsterdam)).toMatchObject({ daysSinceContact: 8 });
  });
});

describe('onboarding happens once', () => {
  it('ignores a second onboarding entirely', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z', 'strategic', 'am-1', 'First')
      .onboard('2026-02-01T09:00:00Z', 'long-tail', 'am-9', 'Second');
    expect(relationshipAsOf(events, '2026-02-10', utc)).toMatchObject({
      name: 'First',
      tier: 'strategic',
      accountManagerId: 'am-1',
      onboardedAt: '2026-01-01T09:00:00.000Z',
      lastContactAt: '2026-01-01T09:00:00.000Z',
    });
  });

  it('lets a late-arriving earlier onboarding replace the one that arrived first', () => {
    const { events } = history()
      .onboard('2026-02-01T09:00:00Z', 'long-tail', 'am-9', 'Second')
      .onboard('2026-01-01T09:00:00Z', 'strategic', 'am-1', 'First');
    expect(relationshipAsOf(events, '2026-02-10', utc)).toMatchObject({ name: 'First', tier: 'strategic' });
  });
});

describe('tier, manager and lifecycle are the latest counting for the day', () => {
  it('changes the thresholds from the tier change on', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z', 'standard')
      .add('CustomerTierChanged', '2026-01-20T09:00:00Z', { tier: 'strategic' });
    expect(relationshipAsOf(events, '2026-01-19', utc)).toMatchObject({ tier: 'standard', status: 'ACTIVE' });
    expect(relationshipAsOf(events, '2026-01-20', utc)).toMatchObject({
      tier: 'strategic',
      status: 'GOING_QUIET',
    });
  });

  it('follows account manager changes', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('AccountManagerAssigned', '2026-01-15T09:00:00Z', { accountManagerId: 'am-2' });
    expect(relationshipAsOf(events, '2026-01-14', utc)?.accountManagerId).toBe('am-1');
    expect(relationshipAsOf(events, '2026-01-15', utc)?.accountManagerId).toBe('am-2');
  });

  it.each([
    [['CustomerChurned'], 'CHURNED'],
    [['CustomerChurned', 'ContractRenewed'], 'ACTIVE'],
    [['CustomerChurned', 'CustomerReactivated'], 'ACTIVE'],
    [['CustomerChurned', 'CustomerReactivated', 'CustomerChurned'], 'CHURNED'],
    [['ContractRenewed'], 'ACTIVE'],
  ] as const)('after %j the status is %s', (lifecycle, status) => {
    const h = history().onboard('2026-01-01T09:00:00Z').contact('2026-01-20T09:00:00Z');
    lifecycle.forEach((type, i) => {
      h.add(type, `2026-01-2${i + 1}T10:00:00Z`, {});
    });
    expect(relationshipAsOf(h.events, '2026-01-25', utc)?.status).toBe(status);
  });

  it('does not count a churn dated after the day yet', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('CustomerChurned', '2026-01-10T09:00:00Z', {});
    expect(relationshipAsOf(events, '2026-01-09', utc)?.status).toBe('ACTIVE');
    expect(relationshipAsOf(events, '2026-01-10', utc)?.status).toBe('CHURNED');
  });
});

describe('complaints and NPS as of the day', () => {
  it('counts complaints open at the end of the day, reopenings included', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('ComplaintReceived', '2026-01-05T09:00:00Z', { complaintId: 'a', channel: 'call' })
      .add('ComplaintReceived', '2026-01-06T09:00:00Z', { complaintId: 'b', channel: 'call' })
      .add('ComplaintResolved', '2026-01-07T09:00:00Z', { complaintId: 'a' })
      .add('ComplaintReopened', '2026-01-09T09:00:00Z', { complaintId: 'a' })
      .add('ComplaintResolved', '2026-01-10T09:00:00Z', { complaintId: 'b' });
    const open = (day: string) => relationshipAsOf(events, day, utc)?.openComplaints;
    expect([
      open('2026-01-04'),
      open('2026-01-06'),
      open('2026-01-07'),
      open('2026-01-09'),
      open('2026-01-10'),
    ]).toEqual([0, 2, 1, 2, 1]);
  });

  it('shows the latest NPS answer counting for the day', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('NpsResponded', '2026-01-05T09:00:00Z', { score: 3 })
      .add('NpsResponded', '2026-01-08T09:00:00Z', { score: 9 });
    expect(relationshipAsOf(events, '2026-01-04', utc)?.lastNpsScore).toBeNull();
    expect(relationshipAsOf(events, '2026-01-06', utc)?.lastNpsScore).toBe(3);
    expect(relationshipAsOf(events, '2026-01-08', utc)?.lastNpsScore).toBe(9);
  });
});

describe('late events: arrival order never matters', () => {
  const random = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const shuffle = <T>(items: readonly T[], next: () => number): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };

  it('gives identical states for every day whatever order the events arrive in', () => {
    const h = history().onboard('2026-01-01T09:00:00Z', 'key');
    const next = random(7);
    for (let i = 0; i < 40; i++) {
      const at = new Date(Date.parse('2026-01-01T10:00:00Z') + next() * 150 * 86_400_000).toISOString();
      const roll = next();
      if (roll < 0.5) h.contact(at);
      else if (roll < 0.6)
        h.add('CustomerTierChanged', at, {
          tier: (['strategic', 'key', 'standard', 'long-tail'] as const)[i % 4],
        });
      else if (roll < 0.7) h.add('AccountManagerAssigned', at, { accountManagerId: `am-${i}` });
      else if (roll < 0.8) h.add('CustomerChurned', at, {});
      else if (roll < 0.9) h.add('CustomerReactivated', at, {});
      else h.add('NpsResponded', at, { score: i % 11 });
    }
    const days = Array.from({ length: 160 }, (_, d) =>
      new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10),
    );
    const expected = days.map((day) => relationshipAsOf(h.events, day, utc));
    for (let round = 0; round < 5; round++) {
      // Shuffle the arrival order: positions are re-assigned as if they arrived shuffled.
      const shuffled = shuffle(h.events, next).map((e, i) => ({
        ...e,
        position: String(i).padStart(32, '0'),
      }));
      // Events sharing an instant are ordered by arrival; keep this test about late arrival only.
      expect(days.map((day) => relationshipAsOf(shuffled, day, utc))).toEqual(expected);
    }
  });
});

describe('rules the examples above leave open', () => {
  it.each([
    // arrival order of the two onboardings
    ['on time', ['2026-01-01T09:00:00Z', '2026-02-01T09:00:00Z']],
    ['late', ['2026-02-01T09:00:00Z', '2026-01-01T09:00:00Z']],
  ])(
    'starts the clock at the earliest onboarding, which arrived %s, and counts contacts from there',
    (_, at) => {
      const h = history().contact('2026-01-15T09:00:00Z');
      for (const onboarding of at) h.onboard(onboarding);
      expect(relationshipAsOf(h.events, '2026-01-20', utc)).toMatchObject({
        onboardedAt: '2026-01-01T09:00:00.000Z',
        lastContactAt: '2026-01-15T09:00:00.000Z',
      });
    },
  );

  it('breaks a tie of onboardings at one instant by arrival order', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z', 'key', 'am-1', 'Arrived first')
      .onboard('2026-01-01T09:00:00Z', 'strategic', 'am-2', 'Arrived second');
    expect(relationshipAsOf(events, '2026-01-01', utc)).toMatchObject({ name: 'Arrived first', tier: 'key' });
  });

  it('takes each profile field from the latest event that set it', () => {
    const { events } = history()
      .add('CustomerOnboarded', '2026-01-01T09:00:00Z', {
        name: 'Acme',
        tier: 'standard',
        accountManagerId: 'am-1',
        segment: 'retail',
        contractValue: 100,
      })
      .add('CustomerProfileUpdated', '2026-01-05T09:00:00Z', { name: 'Acme BV' })
      .add('ContractRenewed', '2026-01-06T09:00:00Z', { contractValue: 250 })
      .add('CustomerProfileUpdated', '2026-01-07T09:00:00Z', { segment: 'wholesale' })
      .add('ContractRenewed', '2026-01-08T09:00:00Z', {});
    const on = (day: string) => relationshipAsOf(events, day, utc);
    expect(on('2026-01-04')).toMatchObject({ name: 'Acme', segment: 'retail', contractValue: 100 });
    expect(on('2026-01-06')).toMatchObject({ name: 'Acme BV', segment: 'retail', contractValue: 250 });
    expect(on('2026-01-08')).toMatchObject({ name: 'Acme BV', segment: 'wholesale', contractValue: 250 });
  });

  it('lets the latest resolve or reopen decide, even when dated before the receipt', () => {
    const { events } = history()
      .onboard('2026-01-01T09:00:00Z')
      .add('ComplaintResolved', '2026-01-04T09:00:00Z', { complaintId: 'early' })
      .add('ComplaintReceived', '2026-01-05T09:00:00Z', { complaintId: 'early', channel: 'call' })
      .add('ComplaintReceived', '2026-01-05T09:00:00Z', { complaintId: 'constructor', channel: 'call' })
      .add('ComplaintReceived', '2026-01-06T09:00:00Z', { complaintId: 'constructor', channel: 'email' });
    const open = (day: string) => relationshipAsOf(events, day, utc)?.openComplaints;
    expect([open('2026-01-04'), open('2026-01-05'), open('2026-01-06')]).toEqual([0, 1, 1]);
  });
});
