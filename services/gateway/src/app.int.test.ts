import { randomUUID } from 'node:crypto';
import { DEFAULT_TIER_POLICY } from '@crh/domain';
import type { AppendEvent, EventStore } from '@crh/event-store';
import { createLogger } from '@crh/observability';
import { createProjector } from '@crh/read-models';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const logger = createLogger('gateway-test', 'silent');

interface Timeline {
  edges: { cursor: string; node: { type: string; occurredAt: string; revision: number } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface GraphQLResponse {
  data?: { relationship: (Record<string, unknown> & { timeline: Timeline }) | null };
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe('gateway relationship queries over projected read models', () => {
  let database: PlatformTestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ({ pool, store } = database);
  });
  afterAll(() => database.close());

  const event = (customerId: string, type: string, occurredAt: string, data: object): AppendEvent => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt: new Date(occurredAt).toISOString(),
    data,
  });

  async function project(timeZone: string) {
    await createProjector({
      store,
      pool,
      logger,
      context: { timeZone, policy: DEFAULT_TIER_POLICY },
      batchSize: 100,
    }).catchUp();
  }

  function gateway(timeZone: string, now = '2026-06-01T12:00:00Z') {
    const yoga = createApp({
      store,
      logger,
      timeZone,
      policy: DEFAULT_TIER_POLICY,
      now: () => new Date(now),
    });
    return async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    };
  }

  const RELATIONSHIP = `query ($id: ID!, $asOf: Date) { relationship(customerId: $id, asOf: $asOf) {
    customerId name tier accountManagerId status daysSinceContact lastContactAt openComplaints lastNpsScore } }`;

  it('answers status and silence as of any day, by the organisation time zone', async () => {
    const id = `tz-${randomUUID().slice(0, 8)}`;
    await store.append([
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
    ]);
    await project('UTC');
    const utc = gateway('UTC');
    const amsterdam = gateway('Europe/Amsterdam');

    // Key tier: quiet from 21 days, neglected from 45.
    const onUtc = await utc(RELATIONSHIP, { id, asOf: '2026-03-21' });
    expect(onUtc.data?.relationship).toMatchObject({
      daysSinceContact: 21,
      status: 'GOING_QUIET',
      lastNpsScore: 9,
    });
    const onAms = await amsterdam(RELATIONSHIP, { id, asOf: '2026-03-21' });
    expect(onAms.data?.relationship).toMatchObject({ daysSinceContact: 20, status: 'ACTIVE' });
    // The day itself: the 23:30Z contact counts for 28 Feb in UTC, for 1 Mar in Amsterdam.
    expect((await utc(RELATIONSHIP, { id, asOf: '2026-02-28' })).data?.relationship?.lastContactAt).toBe(
      '2026-02-28T23:30:00.000Z',
    );
    expect(
      (await amsterdam(RELATIONSHIP, { id, asOf: '2026-02-28' })).data?.relationship?.lastContactAt,
    ).toBe('2026-01-31T22:30:00.000Z');
    // Default asOf is "today" in the organisation's zone (the injected clock: 1 June).
    const today = await utc(RELATIONSHIP, { id });
    expect(today.data?.relationship).toMatchObject({ daysSinceContact: 93, status: 'NEGLECTED' });
  });

  it('returns null before onboarding and for unknown customers', async () => {
    const id = `late-${randomUUID().slice(0, 8)}`;
    await store.append([
      event(id, 'ContactLogged', '2026-02-01T10:00:00Z', { channel: 'call', direction: 'outbound' }),
    ]);
    await project('UTC');
    const query = gateway('UTC');
    expect((await query(RELATIONSHIP, { id })).data?.relationship).toBeNull();
    // The onboarding arrives later, dated after the contact: the contact never counts.
    await store.append([
      event(id, 'CustomerOnboarded', '2026-02-10T10:00:00Z', { name: 'L', accountManagerId: 'am-1' }),
    ]);
    await project('UTC');
    expect((await query(RELATIONSHIP, { id, asOf: '2026-02-09' })).data?.relationship).toBeNull();
    expect((await query(RELATIONSHIP, { id, asOf: '2026-02-20' })).data?.relationship).toMatchObject({
      lastContactAt: '2026-02-10T10:00:00.000Z',
      daysSinceContact: 10,
      tier: 'standard',
    });
  });

  it('pages the timeline newest first with opaque cursors', async () => {
    const id = `tl-${randomUUID().slice(0, 8)}`;
    const days = ['2026-04-01', '2026-04-03', '2026-04-02', '2026-04-05', '2026-04-04'];
    await store.append([
      event(id, 'CustomerOnboarded', '2026-03-31T10:00:00Z', { name: 'T', accountManagerId: 'am-1' }),
      ...days.map((d) =>
        event(id, 'ContactLogged', `${d}T10:00:00Z`, { channel: 'chat', direction: 'inbound' }),
      ),
    ]);
    await project('UTC');
    const query = gateway('UTC');
    const PAGE = `query ($id: ID!, $after: String) { relationship(customerId: $id) {
      timeline(first: 4, after: $after) { edges { cursor node { type occurredAt revision } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await query(PAGE, { id })).data?.relationship?.timeline;
    expect(first?.edges.map((e) => e.node.occurredAt.slice(0, 10))).toEqual([
      '2026-04-05',
      '2026-04-04',
      '2026-04-03',
      '2026-04-02',
    ]);
    expect(first?.pageInfo.hasNextPage).toBe(true);
    const second = (await query(PAGE, { id, after: first?.pageInfo.endCursor })).data?.relationship?.timeline;
    expect(second?.edges.map((e) => e.node.occurredAt.slice(0, 10))).toEqual(['2026-04-01', '2026-03-31']);
    expect(second?.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects bad input with coded errors and masks the rest', async () => {
    const query = gateway('UTC');
    const badDate = await query(RELATIONSHIP, { id: 'x', asOf: '2026-02-30' });
    expect(badDate.errors?.[0]?.message).toMatch(/Date/);
    const badCursor = await query(
      '{ relationship(customerId: "tl") { timeline(after: "nope") { edges { cursor } } } }',
    );
    expect(badCursor.errors ?? []).not.toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/stack|at /) }),
    );
  });
});
