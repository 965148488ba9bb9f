import { randomBytes, randomUUID } from 'node:crypto';
import { CustomerKeys, loadMasterKey } from '@crh/event-store/encryption';
import { describe, expect, it } from 'vitest';
import { usePlatform } from '../support/platform-context.ts';
import { postEvents, waitFor } from '../support/service-process.ts';

// Personal fields as the services store them (docs/erasure.md): sealed with
// the customer's key in the log, opened on every way out.
describe('personal data across the service processes', () => {
  const ctx = usePlatform();

  it('stores no personal value in the clear, and gives every one back through the stream API, the replay and GraphQL', async () => {
    const customer = `pd-${randomUUID().slice(0, 8)}`;
    const marker = `Wilhelmina-${randomBytes(5).toString('hex')}`;
    const event = (type: string, occurredAt: string, data: object, metadata?: object) => ({
      id: randomUUID(),
      type,
      customerId: customer,
      occurredAt,
      data,
      ...(metadata ? { metadata } : {}),
    });
    const events = [
      event('CustomerOnboarded', '2026-01-05T09:00:00Z', {
        name: `${marker} BV`,
        tier: 'standard',
        accountManagerId: 'am-1',
      }),
      event(
        'ContactLogged',
        '2026-01-20T10:00:00Z',
        { channel: 'call', direction: 'outbound', summary: `${marker} wants a call back` },
        { crmNote: `${marker} prefers mornings` },
      ),
    ];
    const ingestToken = await ctx.platform.auth.bearer('ingest');
    const posted = await postEvents(ctx.platform.ingest, ingestToken, events);
    expect(posted.status, await posted.clone().text()).toBe(200);

    // In the database: ids, types, channels as sent; nothing of the marker anywhere in the log.
    const { rows } = await ctx.db.query<{ data: Record<string, unknown>; metadata: unknown }>(
      'select data, metadata from crh.events where customer_id = $1 order by position',
      [customer],
    );
    expect(rows.map((r) => r.data.channel ?? r.data.tier)).toEqual(['standard', 'call']);
    expect(rows[1]!.data.summary).toMatch(/^enc:v1:/);
    expect(rows[1]!.metadata).toEqual({ $crh: 'sealed-v1', $sealed: expect.stringMatching(/^enc:v1:/) });
    const { rows: leaks } = await ctx.db.query<{ n: number }>(
      `select count(*)::int as n from crh.events where data::text like $1 or metadata::text like $1`,
      [`%${marker}%`],
    );
    expect(leaks[0]!.n).toBe(0);

    // Out again, opened: the customer's stream, the replay, the relationship's name.
    const analyst = await ctx.platform.auth.bearer('analyst');
    const stream = (await (
      await fetch(`${ctx.platform.ingest}/v1/customers/${customer}/events`, {
        headers: { authorization: analyst },
      })
    ).json()) as { events: { data: Record<string, unknown>; metadata?: unknown }[] };
    expect(stream.events.map((e) => [e.data, e.metadata ?? null])).toEqual(
      events.map((e) => [e.data, e.metadata ?? null]),
    );
    const replay = await (
      await fetch(`${ctx.platform.ingest}/v1/events?customerId=${customer}`, {
        headers: { authorization: analyst },
      })
    ).text();
    expect(replay).toContain(`${marker} wants a call back`);
    expect(replay).not.toContain('enc:v1:');
    const lead = await ctx.platform.auth.bearer('lead');
    const name = await waitFor(
      async () => {
        const response = await fetch(ctx.platform.graphql[0]!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: lead },
          body: JSON.stringify({
            query: 'query ($id: ID!) { relationship(customerId: $id, asOf: "2026-01-21") { name } }',
            variables: { id: customer },
          }),
        });
        const body = (await response.json()) as { data?: { relationship: { name: string } | null } };
        return body.data?.relationship?.name ?? undefined;
      },
      { what: 'the relationship' },
    );
    expect(name).toBe(`${marker} BV`);

    // Once the customer's key is destroyed (with the platform's master key, as an erasure will),
    // new personal data for it is refused, and an event without any is taken.
    const keys = new CustomerKeys(ctx.db, { master: await loadMasterKey({ dataDir: ctx.platform.dataDir }) });
    await keys.erase(customer);
    const refused = await postEvents(ctx.platform.ingest, ingestToken, [
      event('ContactLogged', '2026-01-22T10:00:00Z', {
        channel: 'call',
        direction: 'outbound',
        summary: 'again',
      }),
    ]);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      type: 'urn:crh:problem:customer-erased',
      customerIds: [customer],
    });
    const taken = await postEvents(ctx.platform.ingest, ingestToken, [
      event('ContactLogged', '2026-01-23T10:00:00Z', { channel: 'call', direction: 'outbound' }),
    ]);
    expect(taken.status).toBe(200);
    // Reads give the erased fields as null.
    const after = (await (
      await fetch(`${ctx.platform.ingest}/v1/customers/${customer}/events`, {
        headers: { authorization: analyst },
      })
    ).json()) as { events: { data: Record<string, unknown> }[] };
    expect(after.events.map((e) => e.data.summary ?? e.data.name ?? null)).toEqual([null, null, null]);
    expect(JSON.stringify(after)).not.toContain(marker);
  });
});
