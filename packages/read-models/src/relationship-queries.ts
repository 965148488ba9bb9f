import { type LocalDate, type RelationshipState, relationshipAsOf } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import { historyFromStore } from './customer-history.ts';
import type { ProjectionContext } from './relationship-projection.ts';

/**
 * A relationship as of the end of `day`: derived from the customer's events
 * that count for that day, so any past day is answered exactly, whatever order
 * the events arrived in.
 */
export async function relationshipOnDay(
  store: EventStore,
  customerId: string,
  day: LocalDate,
  context: ProjectionContext,
): Promise<RelationshipState | null> {
  const history = (await historyFromStore(store)([customerId])).get(customerId) ?? [];
  return relationshipAsOf(history, day, context);
}
