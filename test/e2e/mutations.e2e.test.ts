import { randomUUID } from 'node:crypto';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { DEFAULT_HEALTH_WEIGHTS, DEFAULT_TIER_POLICY, type RuleContext } from '@crh/domain';
import { type GatewayServer, startGatewayServer } from '@crh/gateway/server';
import { createNotifyPublisher, createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger } from '@crh/observability';
import { batchChanges } from '@crh/read-models/projection';
import { createProjector } from '@crh/read-models/runner';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse, subscribeWs } from '../support/graphql-subscribers.ts';

// A mutation travels like any event: recorded by the gateway, applied by a
// running projector, announced on the change feed (LISTEN/NOTIFY), fanned
// out to subscribers. The projector runs in this process; everything between
// it and the client is real (PostgreSQL, HTTP, SSE and WebSocket sockets).
describe('a mutation over a running gateway and projector', () => {
  let database: PlatformTestDatabase;
  let gateway: GatewayServer;
  let auth: TestAuth;
  const stopProjector = new AbortController();
  let projecting: Promise<void>;
  const open: Subscriber<unknown>[] = [];
  const rules: RuleContext = { timeZone: 'Europe/Amsterdam', policy: DEFAULT_TIER_POLICY };
  const customerId = `e2e-mut-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    const feed = createNotifyPublisher({ pool: database.pool });
    const [onboarded] = await database.store.append([
      testEvent(customerId, 'CustomerOnboarded', '2026-01-05T09:00:00Z', {
        name: 'Zuid BV',
        tier: 'key',
        accountManagerId: 'am-e2e',
      }),
    ]);
    const projector = createProjector({
      store: database.store,
      pool: database.pool,
      logger: quietLogger,
      context: rules,
      batchSize: 100,
      onCommitted: (result) => feed.publish(batchChanges(result)),
    });
    projecting = projector.run(stopProjector.signal);
    // The book is what the read models say: the onboarding first.
    while (((await projector.checkpoint()) ?? '') < (onboarded?.position ?? '')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    auth = await openTestAuth();
    gateway = await startGatewayServer({
      auth: auth.verifier,
      store: database.store,
      db: database.pool,
      logger: createLogger('gateway-test', 'silent'),
      rules,
      healthWeights: DEFAULT_HEALTH_WEIGHTS,
      readYourWritesTimeoutMs: 10_000,
      feed: createNotifySubscriber({ connectionString: database.url, logger: quietLogger }),
      host: '127.0.0.1',
      port: 0,
    });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await gateway?.close();
    stopProjector.abort();
    await projecting;
    await database?.close();
  });

  const post = async (authorization: string, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(gateway.url, {
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
    const manager = await auth.bearer('account-manager', { managerId: 'am-e2e' });
    type Recorded = { eventRecorded: { id: string; type: string; actorId: string; data: unknown } };
    const query = 'subscription ($c: ID) { eventRecorded(customerId: $c) { id type actorId data } }';
    const ws = await subscribeWs<Recorded>(gateway.url, manager, query, { c: customerId });
    const sse = await subscribeSse<Recorded>(gateway.url, manager, query, { c: customerId });
    open.push(ws as Subscriber<unknown>, sse as Subscriber<unknown>);
    // graphql-ws acknowledges the socket, not the subscription: wait until the hub has both.
    for (let i = 0; gateway.live.subscriptions() < 2; i++) {
      if (i > 100) throw new Error('subscriptions did not register');
      await new Promise((r) => setTimeout(r, 20));
    }

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
    expect(gateway.live.subscriptions()).toBe(2);

    // A retry is answered from the store and announced nothing new.
    const retry = await post(
      manager,
      `mutation ($input: LogContactInput!) { logContact(input: $input) { id type occurredAt actorId position } }`,
      { input: { customerId, channel: 'meeting', direction: 'outbound', summary: 'QBR', clientMutationId } },
    );
    expect(retry.data?.logContact).toEqual(recorded);
    await gateway.live.settled();
    expect(ws.received.filter((d) => d.eventRecorded.id === clientMutationId)).toHaveLength(1);
  });
});
