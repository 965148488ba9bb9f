import type { RecordedEvent } from './port.ts';

/**
 * The stored envelope as docs/api/events.md shows it: optional fields are
 * omitted, not null; `erased: true` last, on an erased customer's events
 * that held personal data.
 */
export function toEnvelope(event: RecordedEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    customerId: event.customerId,
    occurredAt: event.occurredAt,
    ...(event.actorId === null ? {} : { actorId: event.actorId }),
    data: event.data,
    ...(event.metadata === null ? {} : { metadata: event.metadata }),
    recordedAt: event.recordedAt,
    position: event.position,
    revision: event.revision,
    ...(event.erased ? { erased: true } : {}),
  };
}
