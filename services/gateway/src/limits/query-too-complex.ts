import { GraphQLError } from 'graphql';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/**
 * The refusal of a document over a limit, before anything runs: HTTP 400
 * whatever the Accept header (Yoga would answer 200 to application/json for
 * a validation error), the limit's name and value in the message.
 */
export const queryTooComplex = (message: string): GraphQLError =>
  new GraphQLError(message, {
    extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400, spec: false } },
  });
