import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLArmorCallbackConfiguration } from '@escape.tech/graphql-armor-types';
import { type GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useCostLimit } from './cost-limit.ts';
import type { GraphQLSettings } from './graphql-limits.ts';
import { queryTooComplex, useQueryTooComplexStatus } from './query-too-complex.ts';

/**
 * Everything that stands between a client and the gateway's memory, in
 * Yoga's plugin list. Each runs on every transport: HTTP and SSE go
 * through Yoga, graphql-ws through Yoga's envelope (websocket.ts).
 * - tokens: while parsing (a huge document is never built);
 * - depth, aliases, directives: validation rules (cached per document);
 * - cost: just before execution, with the variables (cost-limit.ts).
 * Each refusal is QUERY_TOO_COMPLEX with HTTP 400, naming the limit.
 */
export function useGraphQLLimits({ limits, exposure }: GraphQLSettings): Plugin[] {
  return [
    maxTokensPlugin({ n: limits.tokens, ...refuseAs('CRH_GRAPHQL_MAX_TOKENS') }),
    maxDepthPlugin({ n: limits.depth, flattenFragments: true, ...refuseAs('CRH_GRAPHQL_MAX_DEPTH') }),
    maxAliasesPlugin({ n: limits.aliases, ...refuseAs('CRH_GRAPHQL_MAX_ALIASES') }),
    maxDirectivesPlugin({ n: limits.directives, ...refuseAs('CRH_GRAPHQL_MAX_DIRECTIVES') }),
    useCostLimit(limits.cost),
    useQueryTooComplexStatus(),
    ...(exposure.introspection ? [] : [useNoIntrospection()]),
    ...(exposure.fieldSuggestions ? [] : [blockFieldSuggestionsPlugin(), useNoEnumSuggestions()]),
  ] as Plugin[];
}

/**
 * graphql-armor's own error is a bare "Syntax Error: …" GraphQLError; ours
 * carries the code and the variable that sets the limit. A validation rule
 * reports it (so graphql-ws answers the operation instead of failing the
 * socket); the parser, which has no validation context, throws it.
 */
function refuseAs(variable: string): GraphQLArmorCallbackConfiguration {
  return {
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        const refusal = queryTooComplex(`${error.message.replace(/^Syntax Error: /, '')} (${variable})`);
        if (!context) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

/**
 * Introspection off (production without CRH_GRAPHIQL=on). Yoga's
 * disable-introspection plugin keys on the HTTP request and so would let
 * graphql-ws through; graphql-js's own rule applies to every transport.
 */
function useNoIntrospection(): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) };
}

/**
 * block-field-suggestions masks `Did you mean "x"?`; graphql-js also spells
 * out enum values (`Did you mean the enum value "ACTIVE"?`), in validation
 * and when it coerces variables at execution.
 */
function useNoEnumSuggestions(): Plugin {
  const mask = (errors: readonly (Error | GraphQLError)[] | undefined) => {
    for (const error of errors ?? []) error.message = error.message.replace(ENUM_SUGGESTION, '').trim();
  };
  return {
    onValidate:
      () =>
      ({ result }) =>
        mask(result),
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        if (!(Symbol.asyncIterator in result)) mask(result.errors);
      },
    }),
  };
}

const ENUM_SUGGESTION = /\s*Did you mean the enum value [^?]*\?/g;
