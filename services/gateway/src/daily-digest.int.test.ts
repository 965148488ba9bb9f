import { randomUUID } from 'node:crypto';
import type { AppendEvent } from '@crh/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../testing/gateway-fixture.ts';

// What an account manager opens in the morning: today's calls with reasons,
// health with its factors, a relationship's status history.
describe("today's calls, health and status history over the read models (Europe/Amsterdam)", () => {
  let gateway: GatewayFixture;
  const am = `am-${randomUUID().slice(0, 6)}`;
  const NOW = '2026-06-10T10:00:00Z';

  const event = (customerId: string, type: string, occurredAt: string, data: object = {}): AppendEvent => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt,
    data,
  });
  const onboard = (id: string, tier: string, at = '2026-01-05T09:00:00Z', contractValue = 1000) =>
    event(id, 'CustomerOnboarded', at, { name: id, tier, accountManagerId: am, contractValue });
  const call = (id: string, at: string) =>
    event(id, 'ContactLogged', at, { channel: 'call', direction: 'outbound' });

  beforeAll(async () => {
    gateway = await openGatewayFixture('Europe/Amsterdam', { now: NOW });
    await gateway.record([
      // Strategic, silent since 1 May: NEGLECTED on 10 June (40 days >= 30).
      onboard('neglected-strategic', 'strategic'),
      call('neglected-strategic', '2026-05-01T09:00:00Z'),
      // Promised a call back by 9 June, not kept.
      onboard('promise', 'standard'),
      call('promise', '2026-06-08T09:00:00Z'),
      event('promise', 'PromiseMade', '2026-06-08T09:05:00Z', {
        promiseId: 'p1',
        description: 'call back with the quote',
        dueAt: '2026-06-09T17:00:00+02:00',
      }),
      // Answered 4 on 2 June, nobody called since.
      onboard('detractor', 'key'),
      call('detractor', '2026-06-01T09:00:00Z'),
      event('detractor', 'NpsResponded', '2026-06-02T09:00:00Z', { score: 4 }),
      // Called every week, silent for 3 weeks: far beyond its rhythm, not yet GOING_QUIET (standard: 30).
      onboard('rhythm', 'standard'),
      ...['2026-04-27', '2026-05-04', '2026-05-11', '2026-05-18'].map((d) =>
        call('rhythm', `${d}T09:00:00Z`),
      ),
      // A promoter not delighted since.
      onboard('fan', 'long-tail'),
      call('fan', '2026-06-05T09:00:00Z'),
      event('fan', 'NpsResponded', '2026-06-06T09:00:00Z', { score: 10 }),
      // Fine: called yesterday.
      onboard('fine', 'standard'),
      call('fine', '2026-06-09T09:00:00Z'),
      // Churned: never a call to make.
      onboard('gone', 'strategic'),
      event('gone', 'CustomerChurned', '2026-02-01T09:00:00Z'),
    ]);
  });
  afterAll(() => gateway.close());

  const CALLS = `query ($am: ID!, $date: Date, $first: Int) { todaysCalls(accountManagerId: $am, date: $date, first: $first) {
    reason reasons explanation relationship { customerId status } health { score } } }`;
  type Calls = {
    todaysCalls: {
      reason: string;
      reasons: string[];
      explanation: string;
      relationship: { customerId: string; status: string };
    }[];
  };

  it('ranks whom to call today, with the reason for each', async () => {
    const result = await gateway.query<Calls>(CALLS, { am, first: 10 });
    expect(result.errors).toBeUndefined();
    expect(result.data!.todaysCalls.map((c) => [c.relationship.customerId, c.reason])).toEqual([
      ['promise', 'OVERDUE_PROMISE'],
      ['detractor', 'DETRACTOR_WITHOUT_FOLLOW_UP'],
      ['neglected-strategic', 'NEGLECTED_STRATEGIC'],
      ['rhythm', 'BEYOND_CADENCE'],
      ['fan', 'PROMOTER_TO_DELIGHT'],
    ]);
    expect(result.data!.todaysCalls[0]!.explanation).toMatch(/promise .* overdue/);
    // A short list still keeps one promoter to delight.
    const short = await gateway.query<Calls>(CALLS, { am, first: 2 });
    expect(short.data!.todaysCalls.map((c) => c.relationship.customerId)).toEqual(['promise', 'fan']);
  });

  it('answers for a past day as it stood then', async () => {
    // On 1 June the promise, the NPS answers and most calls had not happened yet: three customers
    // had no contact since onboarding (147 days, NEGLECTED), equally unhealthy, so customerId decides.
    const result = await gateway.query<Calls>(CALLS, { am, date: '2026-06-01', first: 10 });
    expect(result.data!.todaysCalls.map((c) => [c.relationship.customerId, c.reason])).toEqual([
      ['neglected-strategic', 'NEGLECTED_STRATEGIC'],
      ['fan', 'NEGLECTED'],
      ['fine', 'NEGLECTED'],
      ['promise', 'NEGLECTED'],
    ]);
  });

  it('explains the health score factor by factor', async () => {
    const result = await gateway.query<{
      relationship: {
        typicalContactGapDays: number;
        beyondCadence: boolean;
        health: { score: number; band: string; factors: { factor: string; points: number }[] };
      };
    }>(`{ relationship(customerId: "rhythm") { typicalContactGapDays beyondCadence
         health { score band factors { factor points detail } } } }`);
    const r = result.data!.relationship;
    expect(r).toMatchObject({ typicalContactGapDays: 7, beyondCadence: true });
    expect(Object.fromEntries(r.health.factors.map((f) => [f.factor, f.points]))).toEqual({
      SILENCE: -15.3, // 23 days of 60, x 40
      CADENCE: -10,
      COMPLAINTS: 0,
      PROMISES: 0,
      NPS: 0,
      DELIGHT: 0,
    });
    expect(r.health).toMatchObject({ score: 75, band: 'HEALTHY' });
  });

  it('gives the status history as periods of one status', async () => {
    const result = await gateway.query<{ relationship: { statusHistory: unknown[] } }>(
      `{ relationship(customerId: "neglected-strategic") { statusHistory(from: "2026-01-10") { status from to } } }`,
    );
    // Strategic: quiet after 14 days, neglected after 30; contacts on 5 Jan (onboarding) and 1 May.
    expect(result.data!.relationship.statusHistory).toEqual([
      { status: 'ACTIVE', from: '2026-01-05', to: '2026-01-19' },
      { status: 'GOING_QUIET', from: '2026-01-19', to: '2026-02-04' },
      { status: 'NEGLECTED', from: '2026-02-04', to: '2026-05-01' },
      { status: 'ACTIVE', from: '2026-05-01', to: '2026-05-15' },
      { status: 'GOING_QUIET', from: '2026-05-15', to: '2026-05-31' },
      { status: 'NEGLECTED', from: '2026-05-31', to: null },
    ]);
  });

  it('rejects bad list arguments with coded errors', async () => {
    const code = async (query: string) => (await gateway.query(query)).errors?.[0]?.extensions?.code;
    expect(await code('{ relationships(first: 501) { totalCount } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ relationships(tier: "gold") { totalCount } }')).toBe('BAD_USER_INPUT');
    expect(await code('{ relationships(after: "bm9wZQ") { totalCount } }')).toBe('BAD_USER_INPUT');
    const badDateCursor = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url');
    expect(await code(`{ relationships(after: "${badDateCursor}") { totalCount } }`)).toBe('BAD_USER_INPUT');
    expect(await code('{ neglectedRelationships(date: "2026-13-01") { customerId } }')).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(`{ todaysCalls(accountManagerId: "${am}", first: 51) { reason } }`)).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      await code(
        '{ relationship(customerId: "fine") { statusHistory(from: "2026-02-01", to: "2026-01-01") { status } } }',
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('reads a status list as a set: empty gives nothing, repeats change nothing', async () => {
    const page = '{ totalCount edges { node { customerId } } }';
    const result = await gateway.query<Record<string, unknown>>(`{
      empty: relationships(status: [], first: 10) ${page}
      emptyMine: relationships(status: [], accountManagerId: "${am}", first: 10) ${page}
      twice: relationships(status: [NEGLECTED, NEGLECTED], first: 10) ${page}
      once: relationships(status: [NEGLECTED], first: 10) ${page} }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.empty).toEqual({ totalCount: 0, edges: [] });
    expect(result.data!.emptyMine).toEqual({ totalCount: 0, edges: [] });
    expect(result.data!.twice).toEqual(result.data!.once);
    expect((result.data!.once as { totalCount: number }).totalCount).toBe(1);
  });
});
