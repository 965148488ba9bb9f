import { randomUUID } from 'node:crypto';
import type { AppendEvent } from '@crh/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../testing/gateway-fixture.ts';

interface Timeline {
  edges: { cursor: string; node: { type: string; occurredAt: string; revision: number } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
type RelationshipResult = { relationship: (Record<string, unknown> & { timeline: Timeline }) | null };

describe('gateway relationship queries over projected read models', () => {
  let utc: GatewayFixture;
  let amsterdam: GatewayFixture;

  beforeAll(async () => {
    [utc, amsterdam] = await Promise.all([openGatewayFixture('UTC'), openGatewayFixture('Europe/Amsterdam')]);
  });
  afterAll(async () => {
    await Promise.all([utc.close(), amsterdam.close()]);
  });

  const event = (customerId: string, type: string, occurredAt: string, data: object): AppendEvent => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt: new Date(occurredAt).toISOString(),
    data,
  });
  const query =
    (fixture: GatewayFixture) =>
    (text: string, variables: Record<string, unknown> = {}) =>
      fixture.query<RelationshipResult>(text, variables);

  const RELATIONSHIP = `query ($id: ID!, $asOf: Date) { relationship(customerId: $id, asOf: $asOf) {
    customerId name tier accountManagerId status daysSinceContact lastContactAt openComplaints lastNpsScore } }`;

  it('answers status and silence as of any day, by the organisation time zone', async () => {
    const id = `tz-${randomUUID().slice(0, 8)}`;
    const history = [
      event(id, 'CustomerOnboarded', '2026-01-01T08:00:00Z', {
        name: 'Zaandam BV',
        tier: 'key',
        accountManagerId: 'am-2',
      }),
      // 23:30 in Amsterdam on 31 Jan is 22:30 UTC: the same date in both zones ...
      event(id, 'ContactLogged', '2026-01-31T22:30:00Z', { channel: 'visit', direction: 'outbound' }),
      // ... but 00:30 on 1 Mar in Amsterdam is still 28 Feb in UTC.
      event(id, 'ContactLogged', '2026-02-28T23:30:00Z', { channel: 'call', direction: 'inbound' }),
      event(id, 'NpsResponded', '2026-03-05T10:00:00Z', { score: 9 }),
    ];
    await Promise.all([utc.record(history), amsterdam.record(history)]);
    const inUtc = query(utc);
    const inAmsterdam = query(amsterdam);

    // Key tier: quiet from 21 days, neglected from 45.
    const onUtc = await inUtc(RELATIONSHIP, { id, asOf: '2026-03-21' });
    expect(onUtc.data?.relationship).toMatchObject({
      daysSinceContact: 21,
      status: 'GOING_QUIET',
      lastNpsScore: 9,
    });
    const onAms = await inAmsterdam(RELATIONSHIP, { id, asOf: '2026-03-21' });
    expect(onAms.data?.relationship).toMatchObject({ daysSinceContact: 20, status: 'ACTIVE' });
    // The day itself: the 23:30Z contact counts for 28 Feb in UTC, for 1 Mar in Amsterdam.
    expect((await inUtc(RELATIONSHIP, { id, asOf: '2026-02-28' })).data?.relationship?.lastContactAt).toBe(
      '2026-02-28T23:30:00.000Z',
    );
    expect(
      (await inAmsterdam(RELATIONSHIP, { id, asOf: '2026-02-28' })).data?.relationship?.lastContactAt,
    ).toBe('2026-01-31T22:30:00.000Z');
    // Default asOf is "today" in the organisation's zone (the injected clock: 1 June).
    const today = await inUtc(RELATIONSHIP, { id });
    expect(today.data?.relationship).toMatchObject({ daysSinceContact: 93, status: 'NEGLECTED' });
  });

  it('returns null before onboarding and for unknown customers', async () => {
    const id = `late-${randomUUID().slice(0, 8)}`;
    await utc.record([
      event(id, 'ContactLogged', '2026-02-01T10:00:00Z', { channel: 'call', direction: 'outbound' }),
    ]);
    const inUtc = query(utc);
    expect((await inUtc(RELATIONSHIP, { id })).data?.relationship).toBeNull();
    // The onboarding arrives later, dated after the contact: the contact never counts.
    await utc.record([
      event(id, 'CustomerOnboarded', '2026-02-10T10:00:00Z', { name: 'L', accountManagerId: 'am-1' }),
    ]);
    expect((await inUtc(RELATIONSHIP, { id, asOf: '2026-02-09' })).data?.relationship).toBeNull();
    expect((await inUtc(RELATIONSHIP, { id, asOf: '2026-02-20' })).data?.relationship).toMatchObject({
      lastContactAt: '2026-02-10T10:00:00.000Z',
      daysSinceContact: 10,
      tier: 'standard',
    });
  });

  it('pages the timeline newest first with opaque cursors', async () => {
    const id = `tl-${randomUUID().slice(0, 8)}`;
    const days = ['2026-04-01', '2026-04-03', '2026-04-02', '2026-04-05', '2026-04-04'];
    await utc.record([
      event(id, 'CustomerOnboarded', '2026-03-31T10:00:00Z', { name: 'T', accountManagerId: 'am-1' }),
      ...days.map((d) =>
        event(id, 'ContactLogged', `${d}T10:00:00Z`, { channel: 'chat', direction: 'inbound' }),
      ),
    ]);
    const inUtc = query(utc);
    const PAGE = `query ($id: ID!, $after: String) { relationship(customerId: $id) {
      timeline(first: 4, after: $after) { edges { cursor node { type occurredAt revision } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await inUtc(PAGE, { id })).data?.relationship?.timeline;
    expect(first?.edges.map((e) => e.node.occurredAt.slice(0, 10))).toEqual([
      '2026-04-05',
      '2026-04-04',
      '2026-04-03',
      '2026-04-02',
    ]);
    expect(first?.pageInfo.hasNextPage).toBe(true);
    const second = (await inUtc(PAGE, { id, after: first?.pageInfo.endCursor })).data?.relationship?.timeline;
    expect(second?.edges.map((e) => e.node.occurredAt.slice(0, 10))).toEqual(['2026-04-01', '2026-03-31']);
    expect(second?.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects bad input with coded errors and masks the rest', async () => {
    const inUtc = query(utc);
    const badDate = await inUtc(RELATIONSHIP, { id: 'x', asOf: '2026-02-30' });
    expect(badDate.errors?.[0]?.message).toMatch(/Date/);
    const badCursor = await inUtc(
      '{ relationship(customerId: "tl") { timeline(after: "nope") { edges { cursor } } } }',
    );
    expect(badCursor.errors ?? []).not.toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/stack|at /) }),
    );
  });
});
