import { z } from 'zod';
import {
  EVENT_TYPES,
  type EventType,
  eventDataSchemas,
  RECORDED_EVENT_TYPES,
  type RecordedEventType,
  recordedDataSchemas,
} from './event-catalogue.ts';
import { EVENT_MEANINGS } from './event-meanings.ts';
import { sentInstantSchema } from './instant-schema.ts';

// The envelope's limits, shared by its schema and validateEnvelope (which
// checks them by hand, for its sentences and because the projector runs it
// on every stored event).
/** Any UUID, either case (stored lower-case). No `i` flag: JSON Schema patterns have no flags. */
export const EVENT_ID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_ACTOR_ID_LENGTH = 128;
/** UTF-8 bytes of the metadata's JSON. */
export const MAX_METADATA_BYTES = 4096;
export const MAX_EVENTS_PER_REQUEST = 1000;

export const eventTypeSchema = z.enum(EVENT_TYPES).meta({ id: 'EventType', description: 'The event type.' });
export const recordedEventTypeSchema = z.enum(RECORDED_EVENT_TYPES).meta({
  id: 'RecordedEventType',
  description:
    "A stored event's type: the catalogue's, or one the platform records itself (CustomerDataErased).",
});

export const customerIdSchema = z.string().regex(CUSTOMER_ID_PATTERN).meta({
  id: 'CustomerId',
  description: "1 to 128 characters of A-Z a-z 0-9 . _ : -; the customer's stream is customer-<customerId>.",
});

const eventIdSchema = z.string().regex(EVENT_ID_PATTERN).meta({
  id: 'EventId',
  format: 'uuid',
  description:
    'A UUID chosen by the client: the idempotency key. The same event sent again is never recorded twice; the same id with other content is refused (409 id-conflict).',
});

export const actorIdSchema = z
  .string()
  .min(1)
  .max(MAX_ACTOR_ID_LENGTH)
  .meta({ id: 'ActorId', description: 'The employee who acted, when one did.' });

export const metadataSchema = z.record(z.string(), z.unknown()).meta({
  id: 'EventMetadata',
  description: `Free-form object, at most ${MAX_METADATA_BYTES} bytes as UTF-8 JSON; the platform does not read it.`,
});

const expectedRevisionSchema = z.int().min(-1).meta({
  id: 'ExpectedRevision',
  description:
    "The revision the customer's stream must be at just before this event (-1: the stream must not exist yet); otherwise the whole batch is refused with 409.",
});

/** Each type's data, under its own name, described. */
export const namedEventDataSchemas = Object.fromEntries(
  EVENT_TYPES.map((type) => [
    type,
    eventDataSchemas[type].meta({ id: `${type}Data`, description: EVENT_MEANINGS[type] }),
  ]),
) as { [T in EventType]: (typeof eventDataSchemas)[T] };

/**
 * Each stored type's data as every reader gets it, under its own name: as
 * sent, except that personal fields read null once the customer's data was
 * erased (docs/erasure.md).
 */
export const namedRecordedDataSchemas = Object.fromEntries(
  RECORDED_EVENT_TYPES.map((type) => [
    type,
    recordedDataSchemas[type].meta({ id: `${type}StoredData`, description: EVENT_MEANINGS[type] }),
  ]),
) as Record<RecordedEventType, z.ZodType>;

/**
 * One envelope schema per event type (each with its own `data`), told apart
 * by `type`: the shape of every envelope schema, sent (the catalogue's
 * types) or stored (RECORDED_EVENT_TYPES, the platform's own too).
 */
export function unionByEventType<T extends RecordedEventType, Envelope extends z.ZodObject>(
  envelopeOf: (type: T) => Envelope,
  types: readonly T[],
) {
  return z.discriminatedUnion('type', types.map(envelopeOf) as unknown as [Envelope, ...Envelope[]]);
}

const sentEnvelopeOf = <T extends EventType>(type: T) =>
  z
    .strictObject({
      id: eventIdSchema,
      type: z.literal(type),
      customerId: customerIdSchema,
      occurredAt: sentInstantSchema,
      actorId: actorIdSchema.optional(),
      data: namedEventDataSchemas[type],
      metadata: metadataSchema.optional(),
      expectedRevision: expectedRevisionSchema.optional(),
    })
    .meta({ id: `${type}Event`, description: EVENT_MEANINGS[type] });

/**
 * One event as a client sends it, `data` by `type`. The description of what
 * validateEnvelope accepts (it reports every problem in its own words).
 */
export const eventEnvelopeSchema = unionByEventType(sentEnvelopeOf, EVENT_TYPES).meta({
  id: 'EventEnvelope',
  description: 'One event as a client sends it; its data by its type.',
});

/** The body of POST /v1/events (validateEventBatch). */
export const ingestRequestSchema = z
  .strictObject({
    events: z.array(eventEnvelopeSchema).min(1).max(MAX_EVENTS_PER_REQUEST),
  })
  .meta({ id: 'IngestRequest', description: `1 to ${MAX_EVENTS_PER_REQUEST} events, recorded all or none.` });
