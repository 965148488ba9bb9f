import type { Env } from '@crh/config';

/** What one GraphQL document may ask for; checked before anything runs (QUERY_TOO_COMPLEX). */
export interface GraphQLLimits {
  /** Nesting of selection sets (CRH_GRAPHQL_MAX_DEPTH). */
  depth: number;
  /** Aliased fields, over the whole document (CRH_GRAPHQL_MAX_ALIASES). */
  aliases: number;
  /** Directives, over the whole document (CRH_GRAPHQL_MAX_DIRECTIVES). */
  directives: number;
  /** Lexical tokens of the document (CRH_GRAPHQL_MAX_TOKENS). */
  tokens: number;
  /** Estimated cost, nested connections multiplied by their `first` (CRH_GRAPHQL_MAX_COST; see field-cost.ts). */
  cost: number;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = {
  depth: 10,
  aliases: 20,
  directives: 20,
  tokens: 2_000,
  cost: 50_000,
};

/** What the gateway shows of itself: off in production unless asked for (CRH_GRAPHIQL=on). */
export interface GraphQLExposure {
  /** The GraphiQL page on GET /graphql from a browser. */
  graphiql: boolean;
  /** `__schema` and `__type` (GraphiQL needs them). */
  introspection: boolean;
  /** "Did you mean …?" in validation errors: they spell the schema out to whoever guesses. */
  fieldSuggestions: boolean;
}

export interface GraphQLSettings {
  limits: GraphQLLimits;
  exposure: GraphQLExposure;
}

export const DEVELOPMENT_EXPOSURE: GraphQLExposure = {
  graphiql: true,
  introspection: true,
  fieldSuggestions: true,
};

type GraphQLEnv = Pick<
  Env,
  | 'CRH_GRAPHQL_MAX_DEPTH'
  | 'CRH_GRAPHQL_MAX_ALIASES'
  | 'CRH_GRAPHQL_MAX_DIRECTIVES'
  | 'CRH_GRAPHQL_MAX_TOKENS'
  | 'CRH_GRAPHQL_MAX_COST'
  | 'NODE_ENV'
  | 'CRH_GRAPHIQL'
>;

/** The settings main.ts gives the gateway, from the validated environment. */
export function graphqlSettingsFrom(env: GraphQLEnv): GraphQLSettings {
  const production = env.NODE_ENV === 'production';
  // CRH_GRAPHIQL wins either way; unset, GraphiQL is on in development only.
  const graphiql = env.CRH_GRAPHIQL === undefined ? !production : env.CRH_GRAPHIQL === 'on';
  return {
    limits: {
      depth: env.CRH_GRAPHQL_MAX_DEPTH,
      aliases: env.CRH_GRAPHQL_MAX_ALIASES,
      directives: env.CRH_GRAPHQL_MAX_DIRECTIVES,
      tokens: env.CRH_GRAPHQL_MAX_TOKENS,
      cost: env.CRH_GRAPHQL_MAX_COST,
    },
    exposure: {
      graphiql,
      // Development tools (codegen, editors) introspect without GraphiQL.
      introspection: graphiql || !production,
      fieldSuggestions: !production,
    },
  };
}
