import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/**
 * The refusal of a document over a limit, before anything runs: HTTP 400
 * whatever the Accept header (see useQueryTooComplexStatus), the limit's
 * name and value in the message.
 */
export const queryTooComplex = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400, spec: false } } });

/**
 * Yoga answers a parse or validation error with 200 to `Accept:
 * application/json` (the GraphQL-over-HTTP spec's legacy rule), and marks
 * every parse error so (the token limit refuses while parsing). The
 * contract is 400 for every refusal: this unmarks ours before the response
 * is written.
 */
export function useQueryTooComplexStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result)) return;
      for (const error of result.errors ?? []) {
        if (error.extensions?.code === QUERY_TOO_COMPLEX) {
          (error.extensions as Record<string, unknown>).http = { status: 400, spec: false };
        }
      }
    },
  };
}
