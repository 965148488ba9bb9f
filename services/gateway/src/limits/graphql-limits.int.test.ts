import { DEFAULT_HEALTH_WEIGHTS } from '@crh/domain';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger } from '@crh/observability';
import { quietLogger, testEvent } from '@crh/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { countedDeps } from '../../testing/counted-deps.ts';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { createApp } from '../app.ts';
import { type GatewayServer, startGatewayServer } from '../gateway-server.ts';
import { DEVELOPMENT_EXPOSURE, type GraphQLLimits } from './graphql-limits.ts';

const logger = createLogger('gateway-limits-test', 'silent');

/** The fixture's database and store, counting what reaches them. */
function counted(fixture: GatewayFixture) {
  const { reached, db, store } = countedDeps(fixture.database.pool, fixture.database.store);
  return {
    db,
    store,
    get calls() {
      return { db: reached.db, store: reached.store };
    },
  };
}

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('GraphQL limits, before anything runs', () => {
  let fixture: GatewayFixture;
  let reached: ReturnType<typeof counted>;
  let admin: string;
  // Small limits, so "just under" and "just over" are short documents.
  const limits: GraphQLLimits = { depth: 5, aliases: 3, directives: 2, tokens: 60, cost: 400 };
  let yoga: ReturnType<typeof createApp>;

  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC', { now: '2026-03-10T12:00:00Z' });
    admin = await fixture.auth.bearer('admin');
    await fixture.record([
      testEvent('lim-1', 'CustomerOnboarded', '2026-03-01T09:00:00Z', {
        tier: 'key',
        accountManagerId: 'am-l',
      }),
      testEvent('lim-1', 'ContactLogged', '2026-03-02T09:00:00Z', { channel: 'call', direction: 'outbound' }),
    ]);
    reached = counted(fixture);
    yoga = createApp({
      auth: fixture.auth.verifier,
      store: reached.store,
      db: reached.db,
      logger,
      rules: fixture.rules,
      healthWeights: DEFAULT_HEALTH_WEIGHTS,
      now: () => new Date('2026-03-10T12:00:00Z'),
      graphql: { limits, exposure: DEVELOPMENT_EXPOSURE },
    });
  });
  afterAll(() => fixture.close());

  async function ask(
    query: string,
    variables: Record<string, unknown> = {},
    accept?: string,
  ): Promise<Answer> {
    const response = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: admin,
        ...(accept ? { accept } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  /** Answered with data, having read the database or the store. */
  async function expectAnswered(query: string, variables: Record<string, unknown> = {}) {
    const before = { ...reached.calls };
    const answer = await ask(query, variables);
    expect(answer.body.errors, query).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeTruthy();
    expect(reached.calls.db + reached.calls.store).toBeGreaterThan(before.db + before.store);
  }

  /** Refused with QUERY_TOO_COMPLEX, HTTP 400, naming the limit; nothing reached the database or store. */
  async function expectRefused(
    query: string,
    limit: { variable: string; value: number },
    variables: Record<string, unknown> = {},
    accept?: string,
  ) {
    const before = { ...reached.calls };
    const answer = await ask(query, variables, accept);
    expect(answer.status, query).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error!.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error!.message).toContain(limit.variable);
    expect(error!.message).toContain(String(limit.value));
    expect(reached.calls).toEqual(before);
  }

  it('depth (CRH_GRAPHQL_MAX_DEPTH)', async () => {
    // relationship > timeline > edges > node > id: 5 levels.
    await expectAnswered(
      '{ relationship(customerId: "lim-1") { timeline(first: 1) { edges { node { id } } } } }',
    );
    // relationships > edges > node > health > factors > detail: 6.
    await expectRefused('{ relationships(first: 1) { edges { node { health { factors { detail } } } } } }', {
      variable: 'CRH_GRAPHQL_MAX_DEPTH',
      value: 5,
    });
  });

  it('aliases (CRH_GRAPHQL_MAX_ALIASES)', async () => {
    await expectAnswered('{ a: relationship(customerId: "lim-1") { b: tier c: status } }');
    await expectRefused('{ a: relationship(customerId: "lim-1") { b: tier c: status d: name } }', {
      variable: 'CRH_GRAPHQL_MAX_ALIASES',
      value: 3,
    });
  });

  it('directives (CRH_GRAPHQL_MAX_DIRECTIVES)', async () => {
    await expectAnswered(
      '{ relationship(customerId: "lim-1") { tier @include(if: true) status @skip(if: false) } }',
    );
    await expectRefused(
      '{ relationship(customerId: "lim-1") { tier @include(if: true) status @skip(if: false) name @include(if: true) } }',
      { variable: 'CRH_GRAPHQL_MAX_DIRECTIVES', value: 2 },
    );
  });

  it('tokens (CRH_GRAPHQL_MAX_TOKENS)', async () => {
    // { relationship ( customerId : "lim-1" ) { ... } }: 10 tokens and one per field.
    const fields = (n: number) =>
      `{ relationship(customerId: "lim-1") { ${Array(n).fill('tier').join(' ')} } }`;
    await expectAnswered(fields(50));
    await expectRefused(fields(51), { variable: 'CRH_GRAPHQL_MAX_TOKENS', value: 60 });
  });

  it('cost (CRH_GRAPHQL_MAX_COST): first multiplies, given, defaulted or by variable, whatever the Accept header', async () => {
    // relationships 1 + first x (edges, node, customerId): 1 + 3 x 133 = 400.
    const page = (first: number) => `{ relationships(first: ${first}) { edges { node { customerId } } } }`;
    await expectAnswered(page(133));
    const over = { variable: 'CRH_GRAPHQL_MAX_COST', value: 400 };
    await expectRefused(page(134), over);
    await expectRefused(page(134), over, {}, 'application/json');
    await expectRefused(page(134), over, {}, 'application/graphql-response+json');
    const byVariable = 'query ($n: Int) { relationships(first: $n) { edges { node { customerId } } } }';
    await expectAnswered(byVariable, { n: 133 });
    await expectRefused(byVariable, over, { n: 134 });
    // Omitted, first is its default, 50: 1 + 50 x (edges, node and 7 fields) = 451; 44 of them cost 397.
    const fields = 'customerId name tier status segment asOf daysSinceContact';
    await expectAnswered(`{ relationships(first: 44) { edges { node { ${fields} } } } }`);
    await expectRefused(`{ relationships { edges { node { ${fields} } } } }`, over);
    // The same text is validated once (Yoga caches validation by document):
    // the cost is still the variables' (it is checked just before execution).
    await expectAnswered(byVariable, { n: 1 });
    await expectRefused(byVariable, over, { n: 500 });
  });

  it('refuses the issue’s attack with the default limits, and keeps GraphiQL’s headers in development', async () => {
    const attack = `{ ${['a', 'b']
      .map(
        (alias) =>
          `${alias}: relationships(first: 500) { edges { node { timeline(first: 500) { edges { node { id type data } } } } } }`,
      )
      .join(' ')} }`;
    const before = { ...reached.calls };
    const answer = await fixture.query(attack);
    expect(answer.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(answer.errors?.[0]?.message).toMatch(/over the limit of 50000 \(CRH_GRAPHQL_MAX_COST\)/);
    expect(reached.calls).toEqual(before);

    // GraphiQL is shown; that it keeps its headers tab is seen in a browser (graphiql-page.int.test.ts).
    const page = await yoga.fetch('http://gateway/graphql', { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  });
});

describe('GraphQL limits on subscriptions, over SSE and graphql-ws', () => {
  let fixture: GatewayFixture;
  let gateway: GatewayServer;
  let admin: string;
  let reached: ReturnType<typeof counted>;
  // eventRecorded 1 + its fields: two fields cost 3; three cost 4.
  const limits: GraphQLLimits = { depth: 5, aliases: 1, directives: 2, tokens: 60, cost: 3 };
  const UNDER = 'subscription { eventRecorded(customerId: "lim-s") { id type } }';
  const OVER_COST = 'subscription { eventRecorded(customerId: "lim-s") { id type customerId } }';
  const OVER_ALIASES = 'subscription { eventRecorded(customerId: "lim-s") { a: id b: type } }';

  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC');
    admin = await fixture.auth.bearer('admin');
    reached = counted(fixture);
    gateway = await startGatewayServer({
      auth: fixture.auth.verifier,
      store: reached.store,
      db: reached.db,
      logger,
      rules: fixture.rules,
      healthWeights: DEFAULT_HEALTH_WEIGHTS,
      graphql: { limits, exposure: DEVELOPMENT_EXPOSURE },
      feed: createNotifySubscriber({ connectionString: fixture.database.url, logger: quietLogger }),
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await fixture?.close();
  });

  /** The status and the first event of an SSE subscription (its first 1.5 s). */
  async function sse(query: string): Promise<{ status: number; first: string }> {
    const controller = new AbortController();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: admin },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    const deadline = setTimeout(() => controller.abort(), 1_500);
    try {
      while (!text.includes('data:')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } catch {
      // Aborted: an accepted subscription with nothing to say yet.
    } finally {
      clearTimeout(deadline);
      controller.abort();
    }
    return { status: response.status, first: text };
  }

  /** What graphql-ws answers first: an error, a result, or nothing within 1.5 s. */
  async function ws(query: string): Promise<string> {
    const client = createClient({
      url: gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: admin },
      retryAttempts: 0,
    });
    try {
      return await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('nothing yet'), 1_500);
        client.subscribe(
          { query },
          {
            next: (result) => resolve(JSON.stringify(result)),
            error: (error) => resolve(JSON.stringify(error)),
            complete: () => clearTimeout(timer),
          },
        );
      });
    } finally {
      await client.dispose();
    }
  }

  it('accepts a subscription under the limits and refuses one over cost or aliases, on both transports', async () => {
    const before = { ...reached.calls };
    const under = await sse(UNDER);
    expect(under.status).toBe(200);
    expect(under.first).not.toContain('QUERY_TOO_COMPLEX');
    for (const [query, variable] of [
      [OVER_COST, 'CRH_GRAPHQL_MAX_COST'],
      [OVER_ALIASES, 'CRH_GRAPHQL_MAX_ALIASES'],
    ] as const) {
      const refused = await sse(query);
      expect(refused.status, query).toBe(400);
      expect(refused.first).toContain('QUERY_TOO_COMPLEX');
      expect(refused.first).toContain(variable);
    }

    expect(await ws(UNDER)).toBe('nothing yet');
    for (const [query, variable] of [
      [OVER_COST, 'CRH_GRAPHQL_MAX_COST'],
      [OVER_ALIASES, 'CRH_GRAPHQL_MAX_ALIASES'],
    ] as const) {
      const answer = await ws(query);
      expect(answer, query).toContain('QUERY_TOO_COMPLEX');
      expect(answer).toContain(variable);
    }
    // A subscription reads nothing when it starts; the refused ones read nothing at all.
    expect(reached.calls).toEqual(before);
  });
});
