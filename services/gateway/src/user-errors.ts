import { GraphQLError } from 'graphql';

/** A coded error meant for the client: Yoga's masking lets these through. */
export const badInput = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** A caller without the right to this field's data: no data for the field, no hint of what exists. */
export const forbidden = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

export const MAX_PAGE = 500;

export function checkPageSize(first: number, max = MAX_PAGE): number {
  if (first < 0 || first > max) throw badInput(`first must be between 0 and ${max}`);
  return first;
}

/** An account manager argument: absent means every manager; an empty id is a mistake, not "everyone". */
export function managerArg(id: string | number | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  const text = String(id);
  if (text.length === 0) throw badInput('accountManagerId must not be empty');
  return text;
}
