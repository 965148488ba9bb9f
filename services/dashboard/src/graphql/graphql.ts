import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * Every operation of the page is written with this tag: gql.tada types its
 * result and variables from services/gateway/schema.graphql (graphql-env.d.ts
 * is generated from it by the build), and `gql.tada check` fails the build
 * on a field the schema does not have.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { Date: string; DateTime: string; JSON: unknown; ID: string };
  // A fragment's fields are part of the result that spreads it (no readFragment needed).
  disableMasking: true;
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
