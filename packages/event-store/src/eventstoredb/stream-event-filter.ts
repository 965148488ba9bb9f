import type { RecordedEvent } from '../port.ts';

/** The readAll / replay filters other than the position. */
export interface StreamFilter {
  /** Only these types (empty or absent: all). */
  types?: readonly string[] | undefined;
  customerId?: string | undefined;
  /** Inclusive bounds on occurredAt. */
  from?: Date | undefined;
  to?: Date | undefined;
}

/**
 * The filters as a predicate, applied as events are read: db-client 6 can
 * filter a read of $all on the server by nothing, and by stream prefix or
 * type only one at a time on later clients, so the client checks them all.
 */
export function streamEventFilter(filter: StreamFilter): (event: RecordedEvent) => boolean {
  const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : null;
  const from = filter.from?.getTime();
  const to = filter.to?.getTime();
  return (event) => {
    if (types !== null && !types.has(event.type)) return false;
    if (filter.customerId !== undefined && event.customerId !== filter.customerId) return false;
    if (from === undefined && to === undefined) return true;
    const occurred = Date.parse(event.occurredAt);
    return (from === undefined || occurred >= from) && (to === undefined || occurred <= to);
  };
}
