import { bookOf } from '@crh/auth';
import type { GatewayContext } from '../builder.ts';
import { forbidden, managerArg } from '../user-errors.ts';

/**
 * The one rule of whose relationships a reader sees (docs/access.md,
 * "Scoping"), never trusting an argument: an account manager reads its own
 * book, as of the day each query asks about; a reader of every book reads
 * what it asks for. Resolvers turn their `accountManagerId` argument into
 * the filter to use with `managerScope`, and check a single relationship
 * with `inBook`.
 */

/**
 * The manager filter for a list, KPI or subscription: null means the
 * organisation as a whole, a string one manager's book. An account manager
 * without the argument gets its own book; with another manager's id, or
 * where only the organisation can be asked about, FORBIDDEN.
 */
export function managerScope(
  ctx: Pick<GatewayContext, 'principal'>,
  requested: string | number | null | undefined,
): string | null {
  const wanted = managerArg(requested);
  const book = bookOf(ctx.principal);
  switch (book.kind) {
    case 'all':
      return wanted;
    case 'manager':
      if (wanted !== null && wanted !== book.managerId) {
        throw forbidden('an account manager reads its own book only');
      }
      return book.managerId;
    case 'none':
      throw forbidden('this token may not read relationships');
  }
}

/** For fields about the whole organisation only (no manager argument): FORBIDDEN unless the caller reads every book. */
export function organisationScope(ctx: Pick<GatewayContext, 'principal'>): null {
  if (bookOf(ctx.principal).kind !== 'all')
    throw forbidden('only readers of every book see the organisation');
  return null;
}

/**
 * Whether a relationship whose manager, as of the day asked, is
 * `accountManagerId` is the caller's to see. Outside the book the field
 * answers as for a customer that does not exist (no existence leak).
 */
export function inBook(ctx: Pick<GatewayContext, 'principal'>, accountManagerId: string | null): boolean {
  const book = bookOf(ctx.principal);
  return book.kind === 'all' || (book.kind === 'manager' && accountManagerId === book.managerId);
}
