import { envSchema } from '@crh/config';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { operationCost } from './cost-limit.ts';
import { DEFAULT_GRAPHQL_LIMITS, graphqlSettingsFrom } from './graphql-limits.ts';

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  operationCost({ schema, document: parse(query), variableValues: variables });

const timelines = (first: number | null, events: number | null, aliases = 1) =>
  `{ ${Array.from(
    { length: aliases },
    (_, i) => `r${i}: relationships${first === null ? '' : `(first: ${first})`} { edges { node {
      timeline${events === null ? '' : `(first: ${events})`} { edges { node { id type data } } } } } }`,
  ).join(' ')} }`;

describe('the cost of a query (fields, multiplied by the first of the lists they are under)', () => {
  it('puts the attack far over the default budget, and each of its halves too', () => {
    // The issue's attack: two aliases of relationships(first: 500) { timeline(first: 500) }.
    expect(cost(timelines(500, 500, 2))).toBeGreaterThan(40 * DEFAULT_GRAPHQL_LIMITS.cost);
    expect(cost(timelines(500, 500))).toBeGreaterThan(DEFAULT_GRAPHQL_LIMITS.cost);
    // 500 x 500 timeline events of 3 fields and their edge and node: 1.25 million.
    expect(cost(timelines(500, 500))).toBeGreaterThanOrEqual(500 * 500 * 5);
  });

  it('counts an omitted first at its default (50), and a first given by a variable at its value', () => {
    expect(cost(timelines(null, null))).toBe(cost(timelines(50, 50)));
    expect(cost(timelines(null, null))).toBeGreaterThanOrEqual(50 * 50 * 5);
    const byVariable =
      'query ($n: Int, $m: Int) { relationships(first: $n) { edges { node { timeline(first: $m) { edges { node { id type data } } } } } } }';
    expect(cost(byVariable, { n: 500, m: 500 })).toBe(cost(timelines(500, 500)));
    expect(cost(byVariable, {})).toBe(cost(timelines(50, 50)));
    expect(cost('query ($n: Int = 7) { relationships(first: $n) { edges { node { customerId } } } }')).toBe(
      cost('{ relationships(first: 7) { edges { node { customerId } } } }'),
    );
  });

  it('multiplies once per connection: edges are as many as first', () => {
    // relationships 1 + 10 x (edges 1 + node 1 + customerId 1).
    expect(cost('{ relationships(first: 10) { edges { node { customerId } } } }')).toBe(1 + 10 * 3);
    // A list without first is taken as 10 items; neglectedRelationships as 100.
    expect(cost('{ relationship(customerId: "c") { statusHistory { status } } }')).toBe(1 + 1 + 10 * 1);
    expect(cost('{ neglectedRelationships(date: "2026-01-01") { customerId } }')).toBe(1 + 100 * 1);
  });

  it('counts only the operation that runs, with the fragments it spreads', () => {
    const document = `query Cheap { relationships(first: 1) { totalCount } }
      query Costly { relationships(first: 500) { ...deep } }
      fragment deep on RelationshipConnection { edges { node { timeline(first: 500) { edges { cursor } } } } }`;
    const of = (operationName: string) =>
      operationCost({ schema, document: parse(document), operationName, variableValues: {} });
    expect(of('Cheap')).toBe(1 + 1 * 1);
    // relationships 1 + 500 x (edges 1 + node 1 + timeline 1 + 500 x (edges 1 + cursor 1)).
    expect(of('Costly')).toBe(1 + 500 * (3 + 500 * 2));
  });

  it('leaves the cost to execution when the variables do not coerce (execution refuses them first)', () => {
    expect(cost('query ($n: Int) { relationships(first: $n) { totalCount } }', { n: 'many' })).toBeNull();
  });
});

describe('limits and production mode from the environment', () => {
  const env = (vars: Record<string, string>) => graphqlSettingsFrom(envSchema.parse(vars));

  it('has the documented defaults', () => {
    expect(env({}).limits).toEqual({ depth: 10, aliases: 20, directives: 20, tokens: 2_000, cost: 50_000 });
    expect(DEFAULT_GRAPHQL_LIMITS).toEqual(env({}).limits);
    expect(env({ CRH_GRAPHQL_MAX_DEPTH: '4', CRH_GRAPHQL_MAX_COST: '900' }).limits).toMatchObject({
      depth: 4,
      cost: 900,
    });
  });

  it('shows GraphiQL, introspection and suggestions in development only, unless CRH_GRAPHIQL says', () => {
    expect(env({}).exposure).toEqual({ graphiql: true, introspection: true, fieldSuggestions: true });
    expect(env({ NODE_ENV: 'production' }).exposure).toEqual({
      graphiql: false,
      introspection: false,
      fieldSuggestions: false,
    });
    expect(env({ NODE_ENV: 'production', CRH_GRAPHIQL: 'on' }).exposure).toEqual({
      graphiql: true,
      introspection: true,
      fieldSuggestions: false,
    });
    expect(env({ CRH_GRAPHIQL: 'off' }).exposure).toMatchObject({ graphiql: false, introspection: true });
  });
});
