import {
  actorIdSchema,
  customerIdSchema,
  EVENT_MEANINGS,
  keptInstantSchema,
  metadataSchema,
  namedRecordedDataSchemas,
  RECORDED_EVENT_TYPES,
  type RecordedEventType,
  unionByEventType,
} from '@crh/domain';
import { z } from 'zod';

// What toEnvelope (and the replay's SQL, which prints the same line) gives:
// the envelope as validated, plus what the store assigned.

/** Both adapters' positions: 16 hex digits of each half, lower case, so string order is log order. */
export const POSITION_PATTERN = /^[0-9a-f]{32}$/;

export const positionSchema = z.string().regex(POSITION_PATTERN).meta({
  id: 'Position',
  description:
    "The event's place in the global log: opaque, but plain string order is log order. A replay resumes after it.",
});

export const storedEventIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  .meta({ id: 'StoredEventId', format: 'uuid', description: "The client's event id, lower case." });

export const revisionSchema = z
  .int()
  .min(0)
  .meta({ id: 'Revision', description: "The event's place in its customer's stream, from 0." });

export const erasedSchema = z.literal(true).meta({
  id: 'Erased',
  description:
    "Present (true) when the event held personal data and its customer's data was erased since: its personal fields and metadata read null (docs/erasure.md).",
});

/**
 * The fields of a recorded envelope of one type, in toEnvelope's order,
 * around its data and metadata: what the stored (opened) and the sealed
 * forms share.
 */
export const recordedEnvelopeFields = <T extends RecordedEventType, D extends z.ZodType, M extends z.ZodType>(
  type: T,
  data: D,
  metadata: M,
) => ({
  id: storedEventIdSchema,
  type: z.literal(type),
  customerId: customerIdSchema,
  occurredAt: keptInstantSchema,
  actorId: actorIdSchema.optional(),
  data,
  metadata: metadata.optional(),
  recordedAt: keptInstantSchema,
  position: positionSchema,
  revision: revisionSchema,
});

const storedEnvelopeOf = <T extends RecordedEventType>(type: T) =>
  z
    .strictObject({
      ...recordedEnvelopeFields(type, namedRecordedDataSchemas[type], metadataSchema),
      erased: erasedSchema.optional(),
    })
    .meta({ id: `${type}StoredEvent`, description: EVENT_MEANINGS[type] });

/**
 * A recorded event as every reader gets it: a stream read, a replay line, a
 * Kafka message's value. Optional fields are absent, never null.
 */
export const storedEnvelopeSchema = unionByEventType(storedEnvelopeOf, RECORDED_EVENT_TYPES).meta({
  id: 'StoredEnvelope',
  description:
    'A recorded event: the envelope as validated (id lower case, instants in UTC, defaults filled) plus recordedAt, position and revision.',
});
