import { CUSTOMER_ID_PATTERN, EVENT_TYPES, normaliseRfc3339, SENT_INSTANT_META } from '@crh/domain';
import { z } from 'zod';

// The replay's query parameters: each schema validates one parameter's
// string (replay-params.ts reports the problems) and is its OpenAPI
// description, so the document says what the route checks.

/** A position as the API returns it; each half is a signed 64-bit number in the store (0 to 7fff…). */
const REPLAY_POSITION = /^[0-7][0-9a-f]{15}[0-7][0-9a-f]{15}$/;

// No named components (Rfc3339Instant, CustomerId) here: zod-openapi would
// copy each parameter's description into the $ref, where it does not belong.
const position = z.string().regex(REPLAY_POSITION);

const instant = z
  .string()
  .meta(SENT_INSTANT_META)
  .transform((value, ctx) => {
    const normal = normaliseRfc3339(value);
    if (normal !== null) return new Date(normal);
    ctx.addIssue({ code: 'custom', message: 'not an RFC 3339 instant' });
    return z.NEVER;
  });

const customerId = z.string().regex(CUSTOMER_ID_PATTERN);

const knownTypes: ReadonlySet<string> = new Set(EVENT_TYPES);

const types = z
  .string()
  .transform((value, ctx) => {
    const list = value
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const unknown = list.filter((t) => !knownTypes.has(t));
    if (unknown.length > 0)
      ctx.addIssue({ code: 'custom', message: `unknown event type(s): ${unknown.join(', ')}` });
    return list;
  })
  // On the wire one string; to a client generator a comma-separated list of event types.
  .meta({ override: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } } });

const limit = z
  .string()
  .regex(/^[1-9][0-9]*$/)
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER))
  .meta({
    // Digits on the wire, a whole number to a client generator.
    override: ({ jsonSchema }) => {
      delete jsonSchema.pattern;
      Object.assign(jsonSchema, { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
    },
  });

export const replayQueryShape = {
  after: position,
  upTo: position,
  from: instant,
  to: instant,
  types,
  customerId,
  limit,
};

export type ReplayParameter = keyof typeof replayQueryShape;

const described = <S extends z.ZodType>(
  schema: S,
  description: string,
  style?: { style: 'form'; explode: false },
) => schema.optional().meta({ param: { description, ...style } });

/** The query string of GET /v1/events and /v1/events/count, every parameter optional. */
export const replayQuerySchema = z.strictObject({
  after: described(
    position,
    'Resume after this position: the events that follow it (a line of an earlier replay gives it).',
  ),
  upTo: described(
    position,
    'Stop at this position (inclusive), e.g. the crh-up-to of an earlier answer when resuming; never past the head of the log.',
  ),
  from: described(instant, 'Only events that occurred at or after this instant.'),
  to: described(instant, 'Only events that occurred at or before this instant; not before from.'),
  types: described(
    types,
    'Only these event types, comma-separated (spaces around names and empty entries are ignored; none: every type).',
    { style: 'form', explode: false },
  ),
  customerId: described(customerId, "Only this customer's events."),
  limit: described(limit, 'At most this many events.'),
});
