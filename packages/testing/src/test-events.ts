import { randomUUID } from 'node:crypto';
import type { AppendEvent } from '@crh/event-store';

/** An event to append in a test, with a fresh id. */
export const testEvent = (
  customerId: string,
  type: string,
  occurredAt: string,
  data: object,
  actorId?: string,
): AppendEvent => ({
  id: randomUUID(),
  type,
  customerId,
  occurredAt,
  data,
  ...(actorId === undefined ? {} : { actorId }),
});

/** A logger that says nothing, for projectors under test. */
export const quietLogger = { info: () => {}, warn: () => {}, error: () => {} };
