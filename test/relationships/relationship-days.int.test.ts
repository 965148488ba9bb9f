import { addDays } from '@crh/domain';
import { type GatewayFixture, type GraphQLResult, openGatewayFixture } from '@crh/gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultContext,
  type OracleEvent,
  type OracleRelationship,
  oracleBook,
} from '../support/domain-oracle.ts';
import { sendRandomBook } from '../support/random-book-fixture.ts';
import { randomHistory } from '../support/random-history.ts';

// The issue's acceptance test: random books, sent with late and re-sent
// events, must give exactly the relationships of docs/rules.md on every day, for the
// whole book and per account manager, in UTC and in a zone with a
// half-hour offset and DST. The expected values come from an independent
// oracle (test/support/domain-oracle.ts), not from the platform's rules.

const FIELDS = `customerId name tier accountManagerId segment contractValue onboardedAt status lastContactAt
  daysSinceContact openComplaints lastNpsScore lastNpsAt lastDelightAt typicalContactGapDays beyondCadence
  openPromises overduePromises`;
const START = '2026-01-01';
const DAYS = 150;
const MANAGERS = ['am-1', 'am-2', 'am-3'];
// After every day asked about, so promises are judged at the end of each day.
const NOW = '2027-01-01T12:00:00Z';

type Row = Omit<OracleRelationship, 'lastContactAt'> & { lastContactAt: string | null };
interface Connection {
  edges: { node: Row }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The oracle's answer in the shape GraphQL gives. */
const expected = (r: OracleRelationship): Row => ({
  ...r,
  onboardedAt: new Date(r.onboardedAt).toISOString(),
  lastContactAt: new Date(r.lastContactAt).toISOString(),
  lastNpsAt: r.lastNpsAt && new Date(r.lastNpsAt).toISOString(),
  lastDelightAt: r.lastDelightAt && new Date(r.lastDelightAt).toISOString(),
});

/** One request per day: the whole book and every manager's book, as lists and as the daily view. */
const DAY_QUERY = `query ($day: Date!) {
  book: relationships(asOf: $day, first: 500) { edges { node { ${FIELDS} } } pageInfo { hasNextPage } }
  neglected: neglectedRelationships(date: $day) { ${FIELDS} }
  ${MANAGERS.map(
    (m, i) => `
  book${i}: relationships(asOf: $day, accountManagerId: "${m}", first: 500) { edges { node { ${FIELDS} } } }
  neglected${i}: neglectedRelationships(date: $day, accountManagerId: "${m}") { ${FIELDS} }`,
  ).join('')}
}`;

describe.each(['UTC', 'America/St_Johns'])(
  'relationships on every day, against the independent oracle (%s)',
  (zone) => {
    let fixture: GatewayFixture;
    let events: OracleEvent[];
    const context = defaultContext(zone);

    beforeAll(async () => {
      fixture = await openGatewayFixture(zone, { now: NOW });
      const history = randomHistory({
        seed: zone.length * 7919,
        customers: 36,
        eventsPerCustomer: 22,
        startDay: START,
        days: DAYS,
        managers: MANAGERS.length,
        customerPrefix: `days-${zone.length}-`,
      });
      events = await sendRandomBook(fixture, history);
    }, 120_000);
    afterAll(() => fixture.close());

    it('gives every day exactly the oracle’s relationships, statuses and neglected lists', async () => {
      const seen = new Set<string>();
      for (let d = -1; d < DAYS + 60; d++) {
        const day = addDays(START, d);
        const book = oracleBook(events, day, context).map(expected);
        const neglected = book.filter((r) => r.status === 'NEGLECTED');
        for (const r of book) seen.add(r.status);
        const result = await fixture.query<Record<string, Connection | Row[]>>(DAY_QUERY, { day });
        expect(result.errors, day).toBeUndefined();
        const data = result.data!;
        expect(
          (data.book as Connection).edges.map((e) => e.node),
          `${day} whole book`,
        ).toEqual(book);
        expect((data.book as Connection).pageInfo.hasNextPage).toBe(false);
        expect(data.neglected, `${day} neglected`).toEqual(neglected);
        MANAGERS.forEach((manager, i) => {
          const mine = (r: Row) => r.accountManagerId === manager;
          expect(
            (data[`book${i}`] as Connection).edges.map((e) => e.node),
            `${day} ${manager}`,
          ).toEqual(book.filter(mine));
          expect(data[`neglected${i}`], `${day} ${manager} neglected`).toEqual(neglected.filter(mine));
        });
      }
      // The book must have exercised every status.
      expect([...seen].sort()).toEqual(['ACTIVE', 'CHURNED', 'GOING_QUIET', 'NEGLECTED']);
    });

    it('pages through a day in small pages, with filters, to the same order', async () => {
      const PAGE = `query ($day: Date!, $after: String, $status: [RelationshipStatus!], $tier: String, $am: ID) {
      relationships(asOf: $day, first: 4, after: $after, status: $status, tier: $tier, accountManagerId: $am) {
        totalCount edges { node { customerId status daysSinceContact } } pageInfo { hasNextPage endCursor } } }`;
      const filters: { status?: string[]; tier?: string; am?: string }[] = [
        {},
        { status: ['GOING_QUIET', 'NEGLECTED'] },
        { tier: 'standard' },
        { am: 'am-2', status: ['ACTIVE', 'GOING_QUIET'] },
      ];
      for (let d = 20; d < DAYS + 40; d += 23) {
        const day = addDays(START, d);
        const book = oracleBook(events, day, context);
        for (const filter of filters) {
          const want = book
            .filter((r) => !filter.status || filter.status.includes(r.status))
            .filter((r) => !filter.tier || r.tier === filter.tier)
            .filter((r) => !filter.am || r.accountManagerId === filter.am)
            .map((r) => ({
              customerId: r.customerId,
              status: r.status,
              daysSinceContact: r.daysSinceContact,
            }));
          const got: unknown[] = [];
          let after: string | null = null;
          for (let pages = 0; pages < 100; pages++) {
            const result: GraphQLResult<{ relationships: Connection & { totalCount: number } }> =
              await fixture.query(PAGE, { day, after, ...filter });
            expect(result.errors).toBeUndefined();
            const page: Connection & { totalCount: number } = result.data!.relationships;
            expect(page.totalCount, `${day} ${JSON.stringify(filter)}`).toBe(want.length);
            got.push(...page.edges.map((e) => e.node));
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor;
          }
          expect(got, `${day} ${JSON.stringify(filter)}`).toEqual(want);
        }
      }
    });
  },
);
