import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRebuild } from '../support/crash-checks.ts';
import { type Platform, postEvents, startPlatform, waitFor } from '../support/service-process.ts';

// `crh rebuild` while ingest, projector and gateway run and events keep
// arriving: every query during the rebuild answers from a whole view (the
// old one, then the new one), and the projector goes on afterwards.
describe('crh rebuild under live load', () => {
  let platform: Platform;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let lead: string;
  let ingestToken: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    databaseUrl = database.url;
    platform = await startPlatform(database.url);
    lead = await platform.auth.bearer('lead');
    ingestToken = await platform.auth.bearer('ingest');
  });
  afterAll(async () => {
    const codes = await platform?.stop();
    await drop?.();
    expect(codes).toEqual([0, 0, 0]);
  });

  const post = async (events: unknown[]) =>
    expect((await postEvents(platform.ingest, ingestToken, events)).status).toBe(200);
  const onboarding = (customerId: string, day: string) => ({
    id: randomUUID(),
    type: 'CustomerOnboarded',
    customerId,
    occurredAt: `${day}T09:00:00Z`,
    data: { name: customerId, tier: 'strategic', accountManagerId: 'am-r' },
  });
  const contact = (customerId: string, day: string) => ({
    id: randomUUID(),
    type: 'ContactLogged',
    customerId,
    occurredAt: `${day}T10:00:00Z`,
    data: { channel: 'call', direction: 'outbound' },
  });
  const gql = async <T>(query: string): Promise<T> => {
    const response = await fetch(platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: lead },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const count = async () =>
    (
      await gql<{ relationships: { totalCount: number } }>(
        '{ relationships(asOf: "2026-01-20", first: 1) { totalCount } }',
      )
    ).relationships.totalCount;

  it('answers every query from a whole view throughout, then follows the log again', async () => {
    // A book of 1,500 customers with 10 contacts each: long enough a rebuild to query during it.
    const seeded: string[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const events = [];
      for (let i = 0; i < 50; i++) {
        const id = `rb-${batch}-${i}`;
        seeded.push(id);
        events.push(onboarding(id, '2026-01-01'));
        for (let d = 2; d <= 11; d++) events.push(contact(id, `2026-01-${String(d).padStart(2, '0')}`));
      }
      await post(events);
    }
    await waitFor(async () => ((await count()) === 1_500 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the book projected',
    });
    const watched = await gql<{ relationship: { status: string; daysSinceContact: number } }>(
      '{ relationship(customerId: "rb-7-7", asOf: "2026-01-20") { status daysSinceContact } }',
    );
    expect(watched.relationship).toEqual({ status: 'ACTIVE', daysSinceContact: 9 });

    // Live load: a new customer every 20 ms while the rebuild runs.
    let loading = true;
    let added = 0;
    const load = (async () => {
      while (loading) {
        await post([onboarding(`live-${added++}`, '2026-01-05')]);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Queries all along: totals never drop (no empty or half-built view), the watched customer never changes.
    let querying = true;
    const answers: number[] = [];
    const queries = (async () => {
      while (querying) {
        answers.push(await count());
        const seen = await gql<{ relationship: { status: string; daysSinceContact: number } | null }>(
          '{ relationship(customerId: "rb-7-7", asOf: "2026-01-20") { status daysSinceContact } }',
        );
        expect(seen.relationship).toEqual({ status: 'ACTIVE', daysSinceContact: 9 });
      }
    })();

    await runRebuild(databaseUrl, platform.dataDir);

    await new Promise((r) => setTimeout(r, 300));
    loading = false;
    await load;
    querying = false;
    await queries;
    expect(answers.length).toBeGreaterThan(5);
    for (let i = 1; i < answers.length; i++) expect(answers[i]!).toBeGreaterThanOrEqual(answers[i - 1]!);
    expect(Math.min(...answers)).toBeGreaterThanOrEqual(1_500);
    // The projector follows the log after the rebuild: every live customer arrives.
    await waitFor(async () => ((await count()) === 1_500 + added ? true : undefined), {
      timeoutMs: 30_000,
      what: `all ${1_500 + added} customers after the rebuild`,
    });
  });
});
