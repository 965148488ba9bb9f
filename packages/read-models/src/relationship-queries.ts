import { endOfDayExclusive, type LocalDate, type RelationshipState, relationshipAsOf } from '@crh/domain';
import type { Pool } from 'pg';
import { loadCustomerEvents } from './customer-events.ts';
import type { ProjectionContext } from './relationship-projection.ts';

/**
 * A relationship as of the end of `day`: derived from the customer's events
 * that count for that day, so any past day is answered exactly, whatever order
 * the events arrived in.
 */
export async function relationshipOnDay(
  pool: Pool,
  customerId: string,
  day: LocalDate,
  context: ProjectionContext,
): Promise<RelationshipState | null> {
  const before = endOfDayExclusive(day, context.timeZone);
  const events = await loadCustomerEvents(pool, [customerId], before);
  return relationshipAsOf(events.get(customerId) ?? [], day, context);
}
