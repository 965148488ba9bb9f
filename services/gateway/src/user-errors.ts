import { GraphQLError } from 'graphql';

/** A coded error meant for the client: Yoga's masking lets these through. */
export const badInput = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

export const MAX_PAGE = 500;

export function checkPageSize(first: number, max = MAX_PAGE): number {
  if (first < 0 || first > max) throw badInput(`first must be between 0 and ${max}`);
  return first;
}
