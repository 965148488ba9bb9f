import { DEFAULT_HEALTH_WEIGHTS } from '@crh/domain';
import { createLogger } from '@crh/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { createApp } from '../app.ts';
import { DEFAULT_GRAPHQL_LIMITS, type GraphQLExposure, graphqlSettingsFrom } from './graphql-limits.ts';

describe('what the gateway shows of itself, in development and in production', () => {
  let fixture: GatewayFixture;
  let admin: string;
  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC');
    admin = await fixture.auth.bearer('admin');
  });
  afterAll(() => fixture.close());

  const gateway = (exposure: GraphQLExposure) => {
    const yoga = createApp({
      auth: fixture.auth.verifier,
      store: fixture.database.store,
      db: fixture.database.pool,
      logger: createLogger('gateway-test', 'silent'),
      rules: fixture.rules,
      healthWeights: DEFAULT_HEALTH_WEIGHTS,
      graphql: { limits: DEFAULT_GRAPHQL_LIMITS, exposure },
    });
    return {
      async ask(query: string) {
        const response = await yoga.fetch('http://gateway/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: admin },
          body: JSON.stringify({ query }),
        });
        return (await response.json()) as { data?: unknown; errors?: { message: string }[] };
      },
      async graphiql() {
        // The page (200), or where it is not built the page saying so (503): shown either way.
        const response = await yoga.fetch('http://gateway/graphql', { headers: { accept: 'text/html' } });
        return response.headers.get('content-type') === 'text/html; charset=utf-8';
      },
    };
  };
  const INTROSPECTION = '{ __schema { queryType { name } } }';
  const TYPO = '{ relationshipz(customerId: "c") { tier } }';
  const ENUM_TYPO = '{ relationships(status: [NEGLECTD]) { totalCount } }';
  const messages = (answer: { errors?: { message: string }[] }) =>
    (answer.errors ?? []).map((e) => e.message).join(' | ');

  it('in development: GraphiQL, introspection and "did you mean"', async () => {
    const development = gateway(graphqlSettingsFrom({ ...envDefaults, NODE_ENV: 'development' }).exposure);
    expect(await development.graphiql()).toBe(true);
    expect((await development.ask(INTROSPECTION)).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect(messages(await development.ask(TYPO))).toMatch(/Did you mean "relationship/);
    expect(messages(await development.ask(ENUM_TYPO))).toMatch(/Did you mean the enum value "NEGLECTED"/);
  });

  it('NODE_ENV=production: no GraphiQL, no introspection, no suggestions', async () => {
    const production = gateway(graphqlSettingsFrom({ ...envDefaults, NODE_ENV: 'production' }).exposure);
    expect(await production.graphiql()).toBe(false);
    const introspection = await production.ask(INTROSPECTION);
    expect(introspection.data).toBeUndefined();
    expect(messages(introspection)).toMatch(/introspection has been disabled/);
    for (const typo of [TYPO, ENUM_TYPO]) {
      const answer = messages(await production.ask(typo));
      expect(answer).toMatch(/relationshipz|NEGLECTD/);
      expect(answer).not.toMatch(/Did you mean|"relationship"|"NEGLECTED"/);
    }
  });

  it('NODE_ENV=production with CRH_GRAPHIQL=on: GraphiQL and the introspection it needs, still no suggestions', async () => {
    const production = gateway(
      graphqlSettingsFrom({ ...envDefaults, NODE_ENV: 'production', CRH_GRAPHIQL: 'on' }).exposure,
    );
    expect(await production.graphiql()).toBe(true);
    expect((await production.ask(INTROSPECTION)).data).toBeTruthy();
    expect(messages(await production.ask(TYPO))).not.toMatch(/Did you mean/);
  });
});

const envDefaults = {
  CRH_GRAPHQL_MAX_DEPTH: DEFAULT_GRAPHQL_LIMITS.depth,
  CRH_GRAPHQL_MAX_ALIASES: DEFAULT_GRAPHQL_LIMITS.aliases,
  CRH_GRAPHQL_MAX_DIRECTIVES: DEFAULT_GRAPHQL_LIMITS.directives,
  CRH_GRAPHQL_MAX_TOKENS: DEFAULT_GRAPHQL_LIMITS.tokens,
  CRH_GRAPHQL_MAX_COST: DEFAULT_GRAPHQL_LIMITS.cost,
};
