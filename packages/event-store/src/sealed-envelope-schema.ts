import {
  EVENT_MEANINGS,
  metadataSchema,
  PERSONAL_DATA_FIELDS,
  RECORDED_EVENT_TYPES,
  type RecordedEventType,
  recordedDataSchemas,
  unionByEventType,
} from '@crh/domain';
import { z } from 'zod';
import { ENCRYPTED_PREFIX } from './encryption/field-cipher.ts';
import { recordedEnvelopeFields } from './stored-envelope-schema.ts';

// What the log holds, and the Kafka topic carries: the stored envelope with
// each personal field sealed with its customer's key (docs/erasure.md).
// Events stored before sealing hold their personal fields in plaintext.

export const sealedValueSchema = z
  .string()
  .regex(new RegExp(`^${ENCRYPTED_PREFIX}[A-Za-z0-9_-]+$`))
  .meta({
    id: 'SealedValue',
    description:
      "A personal value sealed with its customer's data key: `enc:v1:` and base64url of the IV, the AES-256-GCM ciphertext of the value's JSON and the tag; the event's id and the field's name are its associated data (docs/erasure.md).",
  });

const sealedMetadataSchema = z
  .strictObject({ $crh: z.literal('sealed-v1'), $sealed: sealedValueSchema.optional() })
  .meta({
    id: 'SealedMetadata',
    description:
      "The stored format's mark (`$crh`, on every event whose personal fields are sealed) and the event's metadata, sealed whole (`$sealed`, when it had any).",
  });

const sealedDataOf = (type: RecordedEventType) => {
  const { shape } = recordedDataSchemas[type] as z.ZodObject;
  return z
    .strictObject(
      Object.fromEntries(
        Object.entries(shape).map(([field, schema]) => [
          field,
          PERSONAL_DATA_FIELDS.has(field) ? z.union([sealedValueSchema, schema as z.ZodType]) : schema,
        ]),
      ),
    )
    .meta({ id: `${type}SealedData`, description: EVENT_MEANINGS[type] });
};

const sealedEnvelopeOf = <T extends RecordedEventType>(type: T) =>
  z
    .strictObject(
      recordedEnvelopeFields(type, sealedDataOf(type), z.union([sealedMetadataSchema, metadataSchema])),
    )
    .meta({ id: `${type}SealedEvent`, description: EVENT_MEANINGS[type] });

/**
 * A recorded event as it is stored and as the Kafka topic carries it: its
 * personal fields sealed (plaintext in events stored before sealing), its
 * metadata sealed whole. A reader with the customer's key opens it into a
 * storedEnvelopeSchema event.
 */
export const sealedEnvelopeSchema = unionByEventType(sealedEnvelopeOf, RECORDED_EVENT_TYPES).meta({
  id: 'SealedEnvelope',
  description:
    "A recorded event as stored: its personal fields (and metadata) sealed with its customer's key; open them with the key (docs/erasure.md).",
});
