import { can } from '@crh/auth';
import { relationshipOn } from '@crh/read-models/queries';
import type { GatewayContext } from '../builder.ts';
import { todayOf } from '../request-day.ts';
import { badInput, forbidden } from '../user-errors.ts';

/**
 * May the caller record this mutation's event for this customer? An
 * account manager (act:own-book) only for customers in its book as of today,
 * lead and admin (act:any) for any onboarded customer; nobody else. A
 * customer outside the book and one that does not exist get the same answer,
 * so the refusal says nothing about which customers exist.
 */
export async function authorizeAct(
  ctx: GatewayContext,
  operation: string,
  customerId: string,
): Promise<void> {
  const { principal } = ctx;
  const refuse = (reason: string, message: string) => {
    ctx.logger.warn({ sub: principal.sub, operation, customerId, reason }, 'refused');
    return forbidden(message);
  };
  const any = can(principal, 'act:any');
  const ownBook = can(principal, 'act:own-book') && principal.managerId !== null;
  if (!any && !ownBook) {
    throw refuse(
      'no act permission',
      `${operation}: the caller's roles may not record contacts or promises (account-manager, lead and admin may)`,
    );
  }
  const today = await relationshipOn(ctx.db, customerId, todayOf(ctx));
  if (any) {
    // Events for a customer not yet onboarded count for no view: from the
    // dashboard that is a mistyped id, not a backfill (ingest takes those).
    if (today === null) throw badInput(`${operation}: customer ${customerId} is not onboarded as of today`);
    return;
  }
  if (today?.accountManagerId !== principal.managerId) {
    throw refuse('customer outside the book', `${operation}: customer ${customerId} is not in your book`);
  }
}
