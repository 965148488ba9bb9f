import { byOccurrence, emptyFold, type IntervalWalk, type PositionedEvent, walkIntervals } from '@crh/domain';
import { byLogPosition } from '../projection/log-order.ts';
import type { BatchOptions, ProjectionContext } from '../projection/relationship-projection.ts';

// A build meets a poison event (one whose projection throws) as the live
// projector does: only its customer stops. The customer's views hold what
// came before it in the log, the event is parked 'failed' with its error and
// the customer's later events 'held' behind it, and the build goes on with
// every other customer. A build after the fix applies them all, as
// `crh parked retry` would.

export interface CustomerWalk<Derived> {
  /** The events the views hold, by occurrence; empty when the first one failed. */
  events: PositionedEvent[];
  walk: IntervalWalk | null;
  derived: Derived | null;
  /** The failed event and those held behind it, in log order; empty when none failed. */
  stopped: { event: PositionedEvent; state: 'failed' | 'held'; reason: string }[];
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * Folds a customer's events (sorted by occurrence) into its intervals and
 * whatever `derive` makes of them (its signals). When that throws, the
 * longest prefix in log order that does not is kept, as live batches
 * applied one event at a time would have kept it.
 */
export function walkCustomer<Derived>(
  customerId: string,
  events: readonly PositionedEvent[],
  context: ProjectionContext,
  derive: (events: readonly PositionedEvent[]) => Derived,
  faultInjector: BatchOptions['faultInjector'],
): CustomerWalk<Derived> {
  const attempt = (sorted: readonly PositionedEvent[]) => {
    faultInjector?.(customerId, sorted);
    return { walk: walkIntervals(emptyFold(customerId), sorted, context), derived: derive(sorted) };
  };
  try {
    return { events: [...events], ...attempt(events), stopped: [] };
  } catch {
    // Rare: find the first event in log order whose prefix fails.
    const inLog = [...events].sort(byLogPosition);
    let kept: CustomerWalk<Derived> = { events: [], walk: null, derived: null, stopped: [] };
    for (let index = 0; index < inLog.length; index++) {
      const prefix = inLog.slice(0, index + 1).sort(byOccurrence);
      try {
        kept = { events: prefix, ...attempt(prefix), stopped: [] };
      } catch (error) {
        return { ...kept, stopped: stoppedFrom(inLog, index, errorText(error)) };
      }
    }
    // The last prefix is the whole set: it passed this time, so nothing is stopped.
    return kept;
  }
}

function stoppedFrom(
  inLog: readonly PositionedEvent[],
  index: number,
  reason: string,
): CustomerWalk<never>['stopped'] {
  return inLog
    .slice(index)
    .map((event, i) =>
      i === 0
        ? { event, state: 'failed' as const, reason }
        : { event, state: 'held' as const, reason: 'held behind a failed event of this customer' },
    );
}
