import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse, subscribeWs } from '../support/graphql-subscribers.ts';
import { postEvents, type ServiceProcess, startPlatform, waitFor } from '../support/service-process.ts';

// Dashboards as users run them: ingest, projector and gateway processes on
// one PostgreSQL, the change feed over LISTEN/NOTIFY, subscriptions over SSE
// and over graphql-ws WebSockets on the gateway's /graphql.
describe('live subscriptions over SSE and WebSocket (PostgreSQL LISTEN/NOTIFY feed)', () => {
  let services: ServiceProcess[] = [];
  let drop: () => Promise<void>;
  let ingest: string;
  let graphql: string;
  let lead: string;
  let ingestToken: string;
  const open: Subscriber<unknown>[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const platform = await startPlatform(database.url, { env: { CHANGE_FEED: 'postgres' } });
    services = platform.services;
    ingest = platform.ingest;
    graphql = platform.graphql[0]!;
    lead = await platform.auth.bearer('lead');
    ingestToken = await platform.auth.bearer('ingest');
  });

  afterAll(async () => {
    for (const s of open) s.close();
    const codes = await Promise.all(services.map((s) => s.stop()));
    services = [];
    await drop?.();
    expect(codes).toEqual([0, 0, 0]);
  });

  const post = async (events: unknown[]) =>
    expect((await postEvents(ingest, ingestToken, events)).status).toBe(200);
  const envelope = (
    customerId: string,
    type: string,
    data: object,
    occurredAt = new Date().toISOString(),
  ) => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt,
    data,
  });
  const keep = <T>(s: Subscriber<T>) => {
    open.push(s as Subscriber<unknown>);
    return s;
  };

  it('delivers a posted event, the status change it causes and the new KPIs, on SSE and on WebSocket', async () => {
    const customer = `live-${randomUUID().slice(0, 8)}`;
    const manager = `am-${randomUUID().slice(0, 8)}`;
    type EventData = { eventRecorded: { id: string; type: string; customerId: string; revision: number } };
    const eventQuery = `subscription ($c: ID, $t: [String!]) {
      eventRecorded(customerId: $c, types: $t) { id type customerId revision position data } }`;
    const sseEvents = keep(await subscribeSse<EventData>(graphql, lead, eventQuery, { c: customer }));
    const sseStatus = keep(
      await subscribeSse<{ relationshipStatusChanged: Record<string, unknown> }>(
        graphql,
        lead,
        `subscription ($m: ID) { relationshipStatusChanged(accountManagerId: $m) {
          customerId accountManagerId from to cause day } }`,
        { m: manager },
      ),
    );
    const sseKpis = keep(
      await subscribeSse<{
        dailyKpisUpdated: { date: string; activeCustomers: number; compliments: number };
      }>(
        graphql,
        lead,
        'subscription ($m: ID) { dailyKpisUpdated(accountManagerId: $m) { date activeCustomers compliments } }',
        { m: manager },
      ),
    );
    const wsEvents = keep(
      await subscribeWs<EventData>(graphql, lead, eventQuery, {
        t: ['CustomerOnboarded', 'ComplimentReceived'],
      }),
    );
    // A WebSocket subscribe has no answer to wait for: probe until it delivers.
    await waitFor(
      async () => {
        const probe = `probe-${randomUUID().slice(0, 8)}`;
        await post([envelope(probe, 'CustomerOnboarded', { name: 'Probe', accountManagerId: 'am-probe' })]);
        return wsEvents
          .next((d) => d.eventRecorded.customerId === probe, 1_000)
          .then(
            () => true,
            () => undefined,
          );
      },
      { what: 'the WebSocket subscription to deliver', timeoutMs: 20_000 },
    );

    const onboarded = envelope(customer, 'CustomerOnboarded', {
      name: 'Live BV',
      tier: 'key',
      accountManagerId: manager,
    });
    const contact = envelope(customer, 'ContactLogged', { channel: 'call', direction: 'outbound' });
    const compliment = envelope(customer, 'ComplimentReceived', { channel: 'email' });
    await post([onboarded, contact, compliment]);

    // SSE, one customer: all three, in order, as stored.
    await sseEvents.next((d) => d.eventRecorded.id === compliment.id);
    expect(sseEvents.received.map((d) => [d.eventRecorded.id, d.eventRecorded.revision])).toEqual([
      [onboarded.id, 0],
      [contact.id, 1],
      [compliment.id, 2],
    ]);
    // WebSocket, two types of every customer: the contact is filtered out.
    await wsEvents.next((d) => d.eventRecorded.id === compliment.id);
    expect(
      wsEvents.received
        .filter((d) => d.eventRecorded.customerId === customer)
        .map((d) => d.eventRecorded.type),
    ).toEqual(['CustomerOnboarded', 'ComplimentReceived']);

    const change = await sseStatus.next((d) => d.relationshipStatusChanged.customerId === customer);
    expect(change.relationshipStatusChanged).toMatchObject({
      accountManagerId: manager,
      from: null,
      to: 'ACTIVE',
      cause: 'EVENT',
    });
    const kpis = await sseKpis.next((d) => d.dailyKpisUpdated.compliments === 1);
    expect(kpis.dailyKpisUpdated.activeCustomers).toBe(1);
  });

  it('answers a subscription with bad arguments with a client error, not a stream', async () => {
    const response = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: lead },
      body: JSON.stringify({ query: 'subscription { dailyKpisUpdated(accountManagerId: "") { date } }' }),
    });
    const text = await response.text();
    expect(text).toContain('BAD_USER_INPUT');
  });
});
