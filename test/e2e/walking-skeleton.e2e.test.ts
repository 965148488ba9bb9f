import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@crh/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents, type ServiceProcess, startPlatform, waitFor } from '../support/service-process.ts';

// The platform as users meet it: three service processes on real sockets,
// events in over HTTP, relationships out over GraphQL.
describe('walking skeleton: ingest -> event log -> projector -> GraphQL', () => {
  let services: ServiceProcess[] = [];
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let ingest: string;
  let graphql: string;
  let ingestToken: string;
  let lead: string;
  let analyst: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    databaseUrl = database.url;
    const platform = await startPlatform(database.url);
    services = platform.services;
    ingest = platform.ingest;
    graphql = platform.graphql[0]!;
    ingestToken = await platform.auth.bearer('ingest');
    lead = await platform.auth.bearer('lead');
    analyst = await platform.auth.bearer('analyst');
  });

  afterAll(async () => {
    const codes = await Promise.all(services.map((s) => s.stop()));
    services = [];
    await drop?.();
    expect(codes).toEqual([0, 0, 0]); // graceful shutdown on SIGTERM
  });

  const post = (events: unknown[]) => postEvents(ingest, ingestToken, events);
  /** A customer's stored events, as an analyst reads them. */
  const streamOf = async <T>(customerId: string) =>
    (await (
      await fetch(`${ingest}/v1/customers/${customerId}/events`, { headers: { authorization: analyst } })
    ).json()) as T;

  const relationship = async (customerId: string, asOf: string) => {
    const response = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: lead },
      body: JSON.stringify({
        query: `query ($id: ID!, $asOf: Date) { relationship(customerId: $id, asOf: $asOf) {
          customerId tier accountManagerId status daysSinceContact lastContactAt openComplaints lastNpsScore
          timeline(first: 10) { edges { node { id type } } } } }`,
        variables: { id: customerId, asOf },
      }),
    });
    const body = (await response.json()) as {
      data?: { relationship: Record<string, unknown> | null };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    return body.data!.relationship;
  };

  const envelope = (customerId: string, type: string, occurredAt: string, data: object) => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt,
    actorId: 'am-7',
    data,
  });

  it('derives the relationship states of docs/rules.md from posted events, including late and re-sent ones', async () => {
    const customer = `e2e-${randomUUID().slice(0, 8)}`;
    const onboarding = envelope(customer, 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
      name: 'Acme',
      tier: 'strategic',
      accountManagerId: 'am-7',
    });
    const contact = envelope(customer, 'ContactLogged', '2026-01-10T15:00:00+01:00', {
      channel: 'call',
      direction: 'outbound',
    });
    const first = await post([onboarding, contact]);
    expect(first.status).toBe(200);
    const { results } = (await first.json()) as {
      results: { id: string; status: string; revision: number }[];
    };
    expect(results.map((r) => [r.id, r.status, r.revision])).toEqual([
      [onboarding.id, 'recorded', 0],
      [contact.id, 'recorded', 1],
    ]);

    // Strategic: GOING_QUIET from 14 days of silence, NEGLECTED from 30.
    await waitFor(async () => (await relationship(customer, '2026-01-23')) ?? undefined, {
      what: 'projection',
    });
    expect(await relationship(customer, '2026-01-23')).toMatchObject({
      status: 'ACTIVE',
      daysSinceContact: 13,
    });
    expect(await relationship(customer, '2026-01-24')).toMatchObject({
      status: 'GOING_QUIET',
      daysSinceContact: 14,
    });
    expect(await relationship(customer, '2026-02-09')).toMatchObject({
      status: 'NEGLECTED',
      daysSinceContact: 30,
    });
    expect(await relationship(customer, '2025-12-31')).toBeNull(); // not yet onboarded

    // A late contact (occurred 20 Jan, sent now) changes the past as if it had arrived on time.
    const late = envelope(customer, 'ContactLogged', '2026-01-20T08:00:00Z', {
      channel: 'email',
      direction: 'inbound',
    });
    expect((await post([late])).status).toBe(200);
    await waitFor(
      async () => ((await relationship(customer, '2026-02-09'))?.status === 'GOING_QUIET' ? true : undefined),
      { what: 'late event' },
    );
    expect(await relationship(customer, '2026-02-09')).toMatchObject({
      daysSinceContact: 20,
      lastContactAt: '2026-01-20T08:00:00.000Z',
    });

    // Re-sending the same ids records nothing new.
    const resent = await post([contact, late]);
    const resentBody = (await resent.json()) as { results: { status: string }[] };
    expect(resentBody.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    const stream = await streamOf<{ events: { id: string; revision: number }[] }>(customer);
    expect(stream.events.map((e) => e.id)).toEqual([onboarding.id, contact.id, late.id]);
    const state = await relationship(customer, '2026-02-09');
    expect((state!.timeline as { edges: unknown[] }).edges).toHaveLength(3);
  });

  it('rejects an invalid batch whole, with every problem located, and records nothing', async () => {
    const customer = `e2e-${randomUUID().slice(0, 8)}`;
    const valid = envelope(customer, 'CustomerOnboarded', '2026-03-01T10:00:00Z', {
      name: 'B',
      accountManagerId: 'am-1',
    });
    const badScore = envelope(customer, 'NpsResponded', '2026-03-02T10:00:00Z', { score: 11 });
    const noOffset = {
      ...envelope(customer, 'ContactLogged', '2026-03-02T10:00:00', {
        channel: 'call',
        direction: 'outbound',
      }),
    };
    const response = await post([valid, badScore, noOffset]);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { status: number; errors: { index: number; path: string }[] };
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, path: 'data.score' }),
        expect.objectContaining({ index: 2, path: 'occurredAt' }),
      ]),
    );
    const stream = await streamOf<{ events: unknown[] }>(customer);
    expect(stream.events).toEqual([]);
  });

  it("serves an account manager's daily view, pages and today's calls, and feeds status changes", async () => {
    const am = `am-${randomUUID().slice(0, 8)}`;
    const id = (name: string) => `${am}-${name}`;
    const onboard = (name: string, tier: string, at: string) =>
      envelope(id(name), 'CustomerOnboarded', at, { name, tier, accountManagerId: am });
    expect(
      (
        await post([
          onboard('quiet', 'strategic', '2026-01-01T09:00:00Z'),
          onboard('busy', 'strategic', '2026-01-01T09:00:00Z'),
          envelope(id('busy'), 'ContactLogged', '2026-01-25T09:00:00Z', {
            channel: 'visit',
            direction: 'outbound',
          }),
          onboard('tail', 'long-tail', '2026-01-02T09:00:00Z'),
        ])
      ).status,
    ).toBe(200);
    const graphqlQuery = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: lead },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    const DAY = `query ($am: ID!, $date: Date!) {
      neglectedRelationships(date: $date, accountManagerId: $am) { customerId daysSinceContact }
      relationships(accountManagerId: $am, asOf: $date, first: 2) {
        totalCount edges { node { customerId status } } pageInfo { hasNextPage } }
      todaysCalls(accountManagerId: $am, date: $date) { reason relationship { customerId } } }`;
    // Root fields resolve in parallel: wait for the projection first, then ask for the day.
    await waitFor(
      async () => {
        const data = await graphqlQuery(DAY, { am, date: '2026-02-05' });
        return (data.relationships as { totalCount: number }).totalCount === 3 ? true : undefined;
      },
      { what: 'projection' },
    );
    const day = await graphqlQuery(DAY, { am, date: '2026-02-05' });
    // 5 Feb: "quiet" is 35 days silent (strategic: NEGLECTED from 30), "busy" 11, "tail" 34 (long-tail: ACTIVE).
    expect(day.neglectedRelationships).toEqual([{ customerId: id('quiet'), daysSinceContact: 35 }]);
    expect(day.relationships).toEqual({
      totalCount: 3,
      edges: [
        { node: { customerId: id('quiet'), status: 'NEGLECTED' } },
        { node: { customerId: id('tail'), status: 'ACTIVE' } },
      ],
      pageInfo: { hasNextPage: true },
    });
    expect(day.todaysCalls).toEqual([
      { reason: 'NEGLECTED_STRATEGIC', relationship: { customerId: id('quiet') } },
    ]);

    // The running projector announced each new relationship's status as of today on the change feed.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `select customer_id, from_status, to_status, cause from crh.relationship_status_changes
         where account_manager_id = $1 order by customer_id`,
        [am],
      );
      expect(rows).toEqual(
        ['busy', 'quiet', 'tail'].map((name) => ({
          customer_id: id(name),
          from_status: null,
          to_status: 'NEGLECTED', // as of today, long after January
          cause: 'event',
        })),
      );
    } finally {
      await db.end();
    }
  });
});
