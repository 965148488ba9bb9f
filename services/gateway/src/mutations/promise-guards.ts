import type { RecordedEvent } from '@crh/event-store';
import { badInput } from '../user-errors.ts';
import type { StreamGuard } from './record-mutation.ts';

// The domain tolerates what these refuse (docs/api/events.md): a second
// PromiseMade of an id is ignored (the first counts), keeping or cancelling a
// promise never made counts nowhere, and after the first settlement a later
// one changes nothing. From the ingest API that is the right tolerance (late
// and repeated feeds); from the dashboard each is a mistake that would
// otherwise look recorded and change nothing, so it is refused.

const eventsOf = (stream: readonly RecordedEvent[], promiseId: string) =>
  stream.filter(
    (e) => e.type.startsWith('Promise') && (e.data as { promiseId?: unknown }).promiseId === promiseId,
  );

/** makePromise with a promiseId of its own: the id must be new for this customer. */
export const promiseIsNew =
  (operation: string, customerId: string, promiseId: string): StreamGuard =>
  (stream) => {
    if (eventsOf(stream, promiseId).some((e) => e.type === 'PromiseMade')) {
      throw badInput(`${operation}: customer ${customerId} already has a promise ${promiseId}`);
    }
  };

/** keepPromise and cancelPromise: the promise was made and is neither kept nor cancelled (overdue is still open). */
export const promiseIsOpen =
  (operation: string, customerId: string, promiseId: string): StreamGuard =>
  (stream) => {
    const events = eventsOf(stream, promiseId);
    if (!events.some((e) => e.type === 'PromiseMade')) {
      throw badInput(`${operation}: customer ${customerId} has no promise ${promiseId}`);
    }
    const settled = events.find((e) => e.type === 'PromiseKept' || e.type === 'PromiseCancelled');
    if (settled) {
      const how = settled.type === 'PromiseKept' ? 'kept' : 'cancelled';
      throw badInput(
        `${operation}: promise ${promiseId} of customer ${customerId} is not open: it was ${how}`,
      );
    }
  };
