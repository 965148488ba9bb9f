import { randomUUID } from 'node:crypto';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';

// What the dashboard asks besides the lists: who is signed in, the
// organisation's day and policy, managers side by side, a customer's NPS answers.
describe('viewer, organisation, accountManagers and npsAnswers (Europe/Amsterdam)', () => {
  let gateway: GatewayFixture;
  const run = randomUUID().slice(0, 6);
  const [amA, amB] = [`am-a-${run}`, `am-b-${run}`];
  const NOW = '2026-06-10T22:30:00Z'; // 00:30 on 11 June in Amsterdam

  const event = (customerId: string, type: string, occurredAt: string, data: object = {}) =>
    testEvent(customerId, type, occurredAt, data);
  const onboard = (id: string, manager: string) =>
    event(id, 'CustomerOnboarded', '2026-01-05T09:00:00Z', {
      name: id,
      tier: 'standard',
      accountManagerId: manager,
    });
  const call = (id: string, at: string) =>
    event(id, 'ContactLogged', at, { channel: 'call', direction: 'outbound' });

  beforeAll(async () => {
    gateway = await openGatewayFixture('Europe/Amsterdam', { now: NOW });
    await gateway.record([
      // amA: one neglected (silent since March), one fine; a promise overdue since 1 June.
      onboard(`a1-${run}`, amA),
      call(`a1-${run}`, '2026-03-01T09:00:00Z'),
      onboard(`a2-${run}`, amA),
      call(`a2-${run}`, '2026-04-01T09:00:00Z'),
      call(`a2-${run}`, '2026-06-09T09:00:00Z'),
      event(`a2-${run}`, 'PromiseMade', '2026-05-20T09:00:00Z', {
        promiseId: 'p1',
        description: 'send the offer',
        dueAt: '2026-06-01T17:00:00+02:00',
      }),
      event(`a2-${run}`, 'NpsResponded', '2026-04-02T09:00:00Z', { score: 9, touchpoint: 'support' }),
      event(`a2-${run}`, 'NpsResponded', '2026-06-05T21:30:00Z', { score: 4 }),
      // amB: one fine relationship.
      onboard(`b1-${run}`, amB),
      call(`b1-${run}`, '2026-06-08T09:00:00Z'),
    ]);
  });
  afterAll(() => gateway.close());

  it("answers the organisation's time zone, today there and the tier policy to any reader", async () => {
    const manager = await gateway.auth.bearer('account-manager', { managerId: amA });
    const answer = await gateway.query<{
      organisation: {
        timeZone: string;
        today: string;
        tierThresholds: { tier: string; quietAfterDays: number; neglectedAfterDays: number }[];
      };
    }>(
      '{ organisation { timeZone today tierThresholds { tier quietAfterDays neglectedAfterDays } } }',
      {},
      NOW,
      manager,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.organisation.timeZone).toBe('Europe/Amsterdam');
    // Already the 11th in Amsterdam, still the 10th in UTC.
    expect(answer.data?.organisation.today).toBe('2026-06-11');
    expect(answer.data?.organisation.tierThresholds).toContainEqual({
      tier: 'standard',
      quietAfterDays: 30,
      neglectedAfterDays: 60,
    });
    expect(answer.data?.organisation.tierThresholds.map((t) => t.tier)).toEqual([
      'strategic',
      'key',
      'standard',
      'long-tail',
    ]);
  });

  it('tells who is asking as the gateway reads the token', async () => {
    const ask = async (authorization: string) =>
      (
        await gateway.query<{ viewer: Record<string, unknown> }>(
          '{ viewer { subject roles accountManagerId readsEveryBook mayAct } }',
          {},
          NOW,
          authorization,
        )
      ).data?.viewer;
    expect(await ask(await gateway.auth.bearer('account-manager', { managerId: amA }))).toEqual({
      subject: amA,
      roles: ['account-manager'],
      accountManagerId: amA,
      readsEveryBook: false,
      mayAct: true,
    });
    expect(await ask(await gateway.auth.bearer('analyst', { sub: 'ana' }))).toEqual({
      subject: 'ana',
      roles: ['analyst'],
      accountManagerId: null,
      readsEveryBook: true,
      mayAct: false,
    });
  });

  it('sets every manager side by side for a lead, and only its own row for an account manager', async () => {
    const query =
      'query ($date: Date) { accountManagers(date: $date) { accountManagerId activeRelationships neglected neglectedShare overduePromises } }';
    const lead = await gateway.auth.bearer('lead');
    const all = await gateway.query<{ accountManagers: Record<string, unknown>[] }>(query, {}, NOW, lead);
    expect(all.errors).toBeUndefined();
    const ours = all.data?.accountManagers.filter((m) => String(m.accountManagerId).endsWith(run));
    expect(ours).toEqual([
      {
        accountManagerId: amA,
        activeRelationships: 2,
        neglected: 1,
        neglectedShare: 0.5,
        overduePromises: 1,
      },
      { accountManagerId: amB, activeRelationships: 1, neglected: 0, neglectedShare: 0, overduePromises: 0 },
    ]);
    // On 15 April the March call was 45 days old: going quiet, not neglected; the promise not yet due.
    const april = await gateway.query<{ accountManagers: Record<string, unknown>[] }>(
      query,
      { date: '2026-04-15' },
      NOW,
      lead,
    );
    expect(april.data?.accountManagers.find((m) => m.accountManagerId === amA)).toMatchObject({
      neglected: 0,
      overduePromises: 0,
    });

    const manager = await gateway.auth.bearer('account-manager', { managerId: amB });
    const own = await gateway.query<{ accountManagers: { accountManagerId: string }[] }>(
      query,
      {},
      NOW,
      manager,
    );
    expect(own.data?.accountManagers.map((m) => m.accountManagerId)).toEqual([amB]);
    const future = await gateway.query(query, { date: '2026-06-12' }, NOW, lead);
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("lists a customer's NPS answers up to the relationship's day, dated in the organisation's time zone", async () => {
    const query =
      'query ($id: ID!, $asOf: Date) { relationship(customerId: $id, asOf: $asOf) { npsAnswers { date score touchpoint } } }';
    const now = await gateway.query<{ relationship: { npsAnswers: unknown[] } }>(
      query,
      { id: `a2-${run}` },
      NOW,
    );
    expect(now.data?.relationship.npsAnswers).toEqual([
      { date: '2026-04-02', score: 9, touchpoint: 'support' },
      // 21:30 UTC on 5 June is 23:30 in Amsterdam: still the 5th; an answer of the 6th would say so.
      { date: '2026-06-05', score: 4, touchpoint: null },
    ]);
    const may = await gateway.query<{ relationship: { npsAnswers: unknown[] } }>(
      query,
      { id: `a2-${run}`, asOf: '2026-05-01' },
      NOW,
    );
    expect(may.data?.relationship.npsAnswers).toEqual([
      { date: '2026-04-02', score: 9, touchpoint: 'support' },
    ]);
  });
});
