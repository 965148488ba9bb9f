import { CUSTOMER_ID_PATTERN, keptInstantSchema, recordedEventTypeSchema } from '@crh/domain';
import { positionSchema, sealedEnvelopeSchema, storedEventIdSchema } from '@crh/event-store';
import { z } from 'zod';

/**
 * A message of the relay's topic (`crh.events.v1` by default) as a consumer
 * decodes it: key and header values are UTF-8 strings, the value is UTF-8
 * JSON. What toRelayMessage writes.
 */
export const relayMessageSchema = z.strictObject({
  key: z.string().regex(CUSTOMER_ID_PATTERN).meta({
    description:
      "The customerId: a customer's events share one partition (the Java client's murmur2 partitioner), in stream order.",
  }),
  value: sealedEnvelopeSchema.meta({
    description:
      "The stored envelope as JSON, as the log holds it: its personal fields and metadata sealed with the customer's key (docs/erasure.md; createTopicDecryptor opens them), everything else as the replay API returns it.",
  }),
  headers: z
    .strictObject({
      type: recordedEventTypeSchema,
      position: positionSchema,
      id: storedEventIdSchema,
      occurredAt: keptInstantSchema,
    })
    .meta({ description: 'Copies of envelope fields, to route or filter without parsing the value.' }),
  timestamp: z
    .string()
    .regex(/^[0-9]+$/)
    .meta({
      description:
        "The message's timestamp (CreateTime): recordedAt in milliseconds since the epoch, so offsets looked up by time follow the log.",
    }),
});
