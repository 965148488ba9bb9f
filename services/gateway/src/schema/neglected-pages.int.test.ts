import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { sizeableBook } from '../../testing/sizeable-book.ts';

const NOW = '2026-06-01T12:00:00Z';
const DAY = '2026-06-01';
// A fifth of the book falls silent for its last quarter: 24 neglected, in
// groups sharing a last contact day (customers 30 apart have the same
// history), so pages must break ties by customerId.
const BOOK = sizeableBook({ customers: 120, managers: 3, eventsPerCustomer: 16, endDate: '2026-05-31' });

interface Row {
  customerId: string;
  accountManagerId: string;
  status: string;
  daysSinceContact: number;
}

const LIST = `query ($day: Date!, $am: ID, $first: Int, $after: ID) {
  neglectedRelationships(date: $day, accountManagerId: $am, first: $first, after: $after) {
    customerId accountManagerId status daysSinceContact } }`;

describe('neglectedRelationships(first, after): the daily list in pages', () => {
  let gateway: GatewayFixture;
  let manager: string;

  beforeAll(async () => {
    gateway = await openGatewayFixture('UTC', { now: NOW });
    await gateway.record(BOOK);
    manager = await gateway.auth.bearer('account-manager', { managerId: 'am-2' });
  });
  afterAll(() => gateway.close());

  const list = async (variables: Record<string, unknown>, authorization?: string) => {
    const answer = await gateway.query<{ neglectedRelationships: Row[] }>(
      LIST,
      { day: DAY, ...variables },
      NOW,
      authorization,
    );
    expect(answer.errors, JSON.stringify(variables)).toBeUndefined();
    return answer.data!.neglectedRelationships;
  };
  const refused = async (variables: Record<string, unknown>, authorization?: string) => {
    const answer = await gateway.query(LIST, { day: DAY, ...variables }, NOW, authorization);
    expect(answer.data?.neglectedRelationships ?? null).toBeNull();
    return answer.errors?.map((e) => [e.extensions?.code, e.message]);
  };
  /** Every page of `size`, each after the last customerId of the one before, until a short page. */
  const pageThrough = async (size: number, variables: Record<string, unknown>, authorization?: string) => {
    const pages: Row[][] = [];
    let after: string | null = null;
    // Bounded: a page that does not move on must fail the test, not hang it.
    for (let n = 0; n < 100; n++) {
      const page = await list({ ...variables, first: size, after }, authorization);
      pages.push(page);
      if (page.length < size) return pages;
      after = page.at(-1)!.customerId;
    }
    throw new Error('more than 100 pages');
  };

  it('gives, page after page, exactly the whole list', async () => {
    const whole = await list({});
    expect(whole.length).toBeGreaterThan(20);
    expect(new Set(whole.map((r) => r.status))).toEqual(new Set(['NEGLECTED']));
    // Ties on the day's silence exist, so the order's second key is exercised.
    const silences = whole.map((r) => r.daysSinceContact);
    expect(new Set(silences).size).toBeLessThan(silences.length);

    const pages = await pageThrough(5, {});
    expect(pages.map((p) => p.length).slice(0, -1)).toEqual(Array(pages.length - 1).fill(5));
    expect(pages.flat()).toEqual(whole);
    // A page as long as what is left: the next one is empty.
    expect(await list({ first: whole.length })).toEqual(whole);
    expect(await list({ first: 5, after: whole.at(-1)!.customerId })).toEqual([]);
  });

  it("pages one manager's list the same way", async () => {
    const whole = await list({ am: 'am-1' });
    expect(whole.length).toBeGreaterThan(3);
    expect(new Set(whole.map((r) => r.accountManagerId))).toEqual(new Set(['am-1']));
    expect((await pageThrough(3, { am: 'am-1' })).flat()).toEqual(whole);
  });

  it('continues after a relationship that is not in the list, at its place in the order', async () => {
    const whole = await list({});
    const { data } = await gateway.query<{
      relationships: { edges: { node: Row }[] };
    }>(
      `query ($day: Date!) { relationships(asOf: $day, status: [ACTIVE, GOING_QUIET], first: 500) {
        edges { node { customerId accountManagerId status daysSinceContact } } } }`,
      { day: DAY },
      NOW,
    );
    // One that is silent about as long as the middle of the neglected list would be.
    const others = data!.relationships.edges.map((e) => e.node);
    const middle = whole[Math.floor(whole.length / 2)]!.daysSinceContact;
    const pivot = others.reduce((a, b) =>
      Math.abs(b.daysSinceContact - middle) < Math.abs(a.daysSinceContact - middle) ? b : a,
    );
    const after = (r: Row) =>
      r.daysSinceContact < pivot.daysSinceContact ||
      (r.daysSinceContact === pivot.daysSinceContact && r.customerId > pivot.customerId);
    const expected = whole.filter(after).slice(0, 4);
    expect(expected.length).toBeGreaterThan(0);
    expect(await list({ first: 4, after: pivot.customerId })).toEqual(expected);
  });

  it("pages an account manager's own book, and never after a customer of another", async () => {
    const own = await list({}, manager);
    expect(own).toEqual(await list({ am: 'am-2' }));
    expect((await pageThrough(4, {}, manager)).flat()).toEqual(own);

    const elsewhere = (await list({ am: 'am-3' }))[0]!.customerId;
    const message = `after must be the customerId of a relationship of this list on ${DAY}`;
    // The same answer as for a customer that does not exist: nothing about other books.
    expect(await refused({ first: 5, after: elsewhere }, manager)).toEqual([['BAD_USER_INPUT', message]]);
    expect(await refused({ first: 5, after: 'no-such-customer' }, manager)).toEqual([
      ['BAD_USER_INPUT', message],
    ]);
    expect(await refused({ am: 'am-1', first: 5, after: elsewhere })).toEqual([['BAD_USER_INPUT', message]]);
  });

  it('keeps first within the page limit', async () => {
    expect(await list({ first: 0 })).toEqual([]);
    expect((await list({ first: 500 })).length).toBe((await list({})).length);
    for (const first of [-1, 501]) {
      expect(await refused({ first })).toEqual([['BAD_USER_INPUT', 'first must be between 0 and 500']]);
    }
    expect(await refused({ first: 5, after: '' })).toEqual([
      ['BAD_USER_INPUT', `after must be the customerId of a relationship of this list on ${DAY}`],
    ]);
  });

  it('is not asked for a customer before its onboarding', async () => {
    // Customers start a day apart over 30 days: on an early day some are not onboarded yet.
    const early = '2025-06-15'; // book-00029 starts on 2025-06-29
    const { data } = await gateway.query<{ relationship: Row | null }>(
      `query ($id: ID!, $day: Date!) { relationship(customerId: $id, asOf: $day) { customerId } }`,
      { id: 'book-00029', day: early },
      NOW,
    );
    expect(data?.relationship).toBeNull();
    expect(await refused({ day: early, first: 5, after: 'book-00029' })).toEqual([
      ['BAD_USER_INPUT', `after must be the customerId of a relationship of this list on ${early}`],
    ]);
  });
});
