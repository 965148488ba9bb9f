import { randomUUID } from 'node:crypto';
import { type LiveGateway, openLiveGateway } from '@crh/gateway/testing/live';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse, subscribeWs } from '../support/graphql-subscribers.ts';

// A mutation travels like any event: recorded by the gateway, applied by a
// running projector, announced on the change feed (LISTEN/NOTIFY), fanned
// out to subscribers. The projector runs in this process; everything between
// it and the client is real (PostgreSQL, HTTP, SSE and WebSocket sockets).
describe('a mutation over a running gateway and projector', () => {
  let live: LiveGateway;
  const open: Subscriber<unknown>[] = [];
  const customerId = `e2e-mut-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    live = await openLiveGateway({ timeZone: 'Europe/Amsterdam', readYourWritesTimeoutMs: 10_000 });
    const [onboarded] = await live.database.store.append([
      testEvent(customerId, 'CustomerOnboarded', '2026-01-05T09:00:00Z', {
        name: 'Zuid BV',
        tier: 'key',
        accountManagerId: 'am-e2e',
      }),
    ]);
    live.runProjector();
    // The book is what the read models say: the onboarding first.
    while (((await live.projector.checkpoint()) ?? '') < (onboarded?.position ?? '')) {
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await live?.close();
  });

  const post = async (authorization: string, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(live.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, Record<string, unknown> | null>;
      errors?: unknown[];
      extensions?: unknown;
    };
  };

  it('announces the recorded contact to eventRecorded subscribers and shows it to the next query', async () => {
    const manager = await live.auth.bearer('account-manager', { managerId: 'am-e2e' });
    type Recorded = { eventRecorded: { id: string; type: string; actorId: string; data: unknown } };
    const query = 'subscription ($c: ID) { eventRecorded(customerId: $c) { id type actorId data } }';
    const ws = await subscribeWs<Recorded>(live.gateway.url, manager, query, { c: customerId });
    const sse = await subscribeSse<Recorded>(live.gateway.url, manager, query, { c: customerId });
    open.push(ws as Subscriber<unknown>, sse as Subscriber<unknown>);
    await live.subscriptions(2);

    const clientMutationId = randomUUID();
    const answer = await post(
      manager,
      `mutation ($input: LogContactInput!) { logContact(input: $input) { id type occurredAt actorId position } }`,
      { input: { customerId, channel: 'meeting', direction: 'outbound', summary: 'QBR', clientMutationId } },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.extensions).toBeUndefined(); // no READ_MODELS_LAG warning
    const recorded = answer.data?.logContact;
    expect(recorded).toMatchObject({ id: clientMutationId, type: 'ContactLogged', actorId: 'am-e2e' });

    // Read-your-writes: the very next query shows the contact.
    const next = await post(manager, 'query ($c: ID!) { relationship(customerId: $c) { lastContactAt } }', {
      c: customerId,
    });
    expect(next.data?.relationship).toEqual({ lastContactAt: recorded?.occurredAt });

    const expected = {
      id: clientMutationId,
      type: 'ContactLogged',
      actorId: 'am-e2e',
      data: { channel: 'meeting', direction: 'outbound', summary: 'QBR' },
    };
    expect((await ws.next((d) => d.eventRecorded.id === clientMutationId)).eventRecorded).toEqual(expected);
    expect((await sse.next((d) => d.eventRecorded.id === clientMutationId)).eventRecorded).toEqual(expected);
    // The mutation's own wait on the hub ended with it.
    expect(live.gateway.live.subscriptions()).toBe(2);

    // A retry is answered from the store and announced nothing new.
    const retry = await post(
      manager,
      `mutation ($input: LogContactInput!) { logContact(input: $input) { id type occurredAt actorId position } }`,
      { input: { customerId, channel: 'meeting', direction: 'outbound', summary: 'QBR', clientMutationId } },
    );
    expect(retry.data?.logContact).toEqual(recorded);
    await live.gateway.live.settled();
    expect(ws.received.filter((d) => d.eventRecorded.id === clientMutationId)).toHaveLength(1);
  });
});
