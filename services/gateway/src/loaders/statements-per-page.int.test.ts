import type { Pool, PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { sizeableBook } from '../../testing/sizeable-book.ts';

const NOW = '2026-06-01T12:00:00Z';
// Every customer has contacts, complaints and promises over a year, and a
// fifth of them fall silent: each item of a page has something under it.
const BOOK = sizeableBook({ customers: 60, managers: 2, eventsPerCustomer: 16, endDate: '2026-05-31' });

const NESTED = `customerId
  complaints(first: 10) { edges { node { complaintId status } } pageInfo { hasNextPage } }
  promises(first: 10) { edges { node { promiseId status } } }
  statusHistory(from: "2026-01-01") { status from to }`;

/**
 * Counts the statements the pool's connections send, whoever sends them
 * (`pool.query`, or a client checked out with `pool.connect`): what
 * PostgreSQL receives, not what a wrapper of the gateway's sees.
 */
function countStatements(pool: Pool): { readonly count: number } {
  const counter = { count: 0 };
  const counted = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      counter.count += 1;
      return query(...args);
    }) as PoolClient['query'];
  });
  return counter;
}

describe('nested fields under a list of relationships: as many statements for 5 items as for 50', () => {
  let gateway: GatewayFixture;
  let statements: { readonly count: number };

  beforeAll(async () => {
    gateway = await openGatewayFixture('UTC', { now: NOW });
    await gateway.record(BOOK);
    statements = countStatements(gateway.database.pool);
  });
  afterAll(() => gateway.close());

  /** The statements one request sends, and its items (each with something nested, so the fields ran). */
  const run = async (query: string, items: (data: Record<string, unknown>) => Record<string, unknown>[]) => {
    const before = statements.count;
    const answer = await gateway.query(query);
    expect(answer.errors, query).toBeUndefined();
    const list = items(answer.data!);
    expect(list.some((item) => (item.complaints as { edges: unknown[] }).edges.length > 0)).toBe(true);
    expect(list.some((item) => (item.promises as { edges: unknown[] }).edges.length > 0)).toBe(true);
    expect(list.every((item) => (item.statusHistory as unknown[]).length > 0)).toBe(true);
    return { statements: statements.count - before, items: list.length };
  };

  it('relationships(first: 5) and (first: 50): the page, then one statement per nested field', async () => {
    const page = (first: number) =>
      run(`{ relationships(first: ${first}) { edges { node { ${NESTED} } } } }`, (data) =>
        (data.relationships as { edges: { node: Record<string, unknown> }[] }).edges.map((e) => e.node),
      );
    const [five, fifty] = [await page(5), await page(50)];
    expect([five.items, fifty.items]).toEqual([5, 50]);
    expect(five.statements).toBe(4);
    expect(fifty.statements).toBe(five.statements);
  });

  it('a page of 500 with three complaints and promises each: within the cost limit, the same bound', async () => {
    const page = await run(
      `{ relationships(first: 500) { edges { node {
        customerId name tier accountManagerId status daysSinceContact lastContactAt
        complaints(first: 3) { edges { node { complaintId status receivedAt } } pageInfo { hasNextPage } }
        promises(first: 3) { edges { node { promiseId status dueAt } } pageInfo { hasNextPage } }
        statusHistory { status from to } } } } }`,
      (data) =>
        (data.relationships as { edges: { node: Record<string, unknown> }[] }).edges.map((e) => e.node),
    );
    expect(page).toEqual({ statements: 4, items: 60 });
  });

  it('neglectedRelationships(first: 5) and (first: 12): the same bound', async () => {
    const list = (first: number) =>
      run(
        `{ neglectedRelationships(date: "2026-06-01", first: ${first}) { ${NESTED} } }`,
        (data) => data.neglectedRelationships as Record<string, unknown>[],
      );
    const [five, twelve] = [await list(5), await list(12)];
    expect([five.items, twelve.items]).toEqual([5, 12]);
    expect(five.statements).toBe(4);
    expect(twelve.statements).toBe(five.statements);
  });
});
