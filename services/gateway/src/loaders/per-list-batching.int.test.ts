import { DEFAULT_HEALTH_WEIGHTS } from '@crh/domain';
import { compareTimeKeys, type RecordedEvent } from '@crh/event-store';
import { createLogger } from '@crh/observability';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countedDeps, type Reached } from '../../testing/counted-deps.ts';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { createApp } from '../app.ts';

const NOW = '2026-04-01T12:00:00Z';
const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `batch-${String(i).padStart(2, '0')}`);
const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();

/** Each customer: onboarding, contacts, two complaints, two promises, some on one instant, one sent late. */
function history(customerId: string, i: number) {
  return [
    testEvent(customerId, 'CustomerOnboarded', at(1), {
      name: customerId,
      tier: 'key',
      accountManagerId: 'am-b',
    }),
    ...Array.from({ length: 10 + i }, (_, n) =>
      testEvent(customerId, 'ContactLogged', at(2 + (n % 20), n % 3 === 0 ? 9 : 10 + n), {
        channel: 'call',
        direction: 'outbound',
      }),
    ),
    testEvent(customerId, 'ComplaintReceived', at(3), { complaintId: 'c-1', channel: 'email' }),
    testEvent(customerId, 'ComplaintReceived', at(5), { complaintId: 'c-2', channel: 'call' }),
    testEvent(customerId, 'ComplaintResolved', at(6), { complaintId: 'c-1' }),
    testEvent(customerId, 'PromiseMade', at(4), { promiseId: 'p-1', description: 'call', dueAt: at(8) }),
    testEvent(customerId, 'PromiseMade', at(7), { promiseId: 'p-2', description: 'quote', dueAt: at(28) }),
    testEvent(customerId, 'PromiseKept', at(7, 12), { promiseId: 'p-1' }),
  ];
}

const PER_ITEM = `
  complaints(first: 5) { edges { node { complaintId status receivedAt } } pageInfo { hasNextPage } }
  promises(first: 1) { edges { cursor node { promiseId status dueAt } } pageInfo { hasNextPage endCursor } }
  statusHistory { status from to }
  timeline(first: 4) { edges { cursor node { id type occurredAt position } } pageInfo { hasNextPage endCursor } }`;

describe('nested fields of a list: one round trip per list, the same answers as one by one', () => {
  let fixture: GatewayFixture;
  let reached: Reached;
  let ask: (query: string, variables?: Record<string, unknown>) => Promise<Record<string, unknown>>;

  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC', { now: NOW });
    await fixture.record(CUSTOMERS.flatMap(history));
    const counted = countedDeps(fixture.database.pool, fixture.database.store);
    reached = counted.reached;
    const admin = await fixture.auth.bearer('admin');
    const yoga = createApp({
      auth: fixture.auth.verifier,
      store: counted.store,
      db: counted.db,
      logger: createLogger('gateway-test', 'silent'),
      rules: fixture.rules,
      healthWeights: DEFAULT_HEALTH_WEIGHTS,
      now: () => new Date(NOW),
    });
    ask = async (query, variables = {}) => {
      const response = await yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: admin },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
      expect(body.errors, query).toBeUndefined();
      return body.data!;
    };
  });
  afterAll(() => fixture.close());

  it('asks the database once per nested field and the event store once, for the whole list', async () => {
    const before = { db: reached.db, store: reached.store, calls: reached.storeCalls.length };
    const list = (await ask(
      `{ relationships(first: 50) { edges { node { customerId ${PER_ITEM} } } } }`,
    )) as {
      relationships: { edges: { node: Record<string, unknown> & { customerId: string } }[] };
    };
    expect(list.relationships.edges.map((e) => e.node.customerId).sort()).toEqual(CUSTOMERS);
    // relationships, complaints, promises, statusHistory: 4 queries; timelines: 1 store read.
    expect(reached.db - before.db).toBe(4);
    expect(reached.storeCalls.slice(before.calls)).toEqual(['readNewestFirst']);

    // Each item is what the relationship alone answers.
    for (const { node } of list.relationships.edges) {
      const alone = (await ask(
        `query ($id: ID!) { relationship(customerId: $id) { customerId ${PER_ITEM} } }`,
        {
          id: node.customerId,
        },
      )) as { relationship: Record<string, unknown> };
      expect(node).toEqual(alone.relationship);
    }
  });

  it('pages a timeline by cursor through exactly the stream, newest first, a late event in its occurredAt place', async () => {
    const customer = CUSTOMERS[11]!;
    const PAGE = `query ($id: ID!, $after: String) { relationship(customerId: $id) {
      timeline(first: 3, after: $after) { edges { node { id occurredAt position } } pageInfo { hasNextPage endCursor } } } }`;
    type Page = {
      relationship: {
        timeline: {
          edges: { node: { id: string; occurredAt: string; position: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
    };
    const pageThrough = async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Page['relationship']['timeline'] = ((await ask(PAGE, { id: customer, after })) as Page)
          .relationship.timeline;
        seen.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) return seen;
        after = page.pageInfo.endCursor;
      }
    };
    const newestFirst = (stream: RecordedEvent[]) =>
      [...stream].sort((a, b) => compareTimeKeys(b, a)).map((e) => e.id);

    const stream = await fixture.database.store.readStream(customer);
    expect(stream.length).toBeGreaterThan(20);
    expect(await pageThrough()).toEqual(newestFirst(stream));

    // Sent today, dated in the middle of the history, at an instant other events share.
    const late = testEvent(customer, 'ContactLogged', at(5), { channel: 'visit', direction: 'outbound' });
    await fixture.record([late]);
    const after = await fixture.database.store.readStream(customer);
    const expected = newestFirst(after);
    expect(await pageThrough()).toEqual(expected);
    expect(expected.indexOf(late.id)).toBeGreaterThan(0);
    expect(expected.indexOf(late.id)).toBeLessThan(expected.length - 1);
  });
});
