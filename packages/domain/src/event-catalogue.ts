import { z } from 'zod';
import { keptInstantSchema, sentInstantSchema } from './instant-schema.ts';
import { type Erasable, PERSONAL_DATA_FIELDS } from './personal-fields.ts';
import { normaliseRfc3339 } from './rfc3339.ts';

export const TIERS = ['strategic', 'key', 'standard', 'long-tail'] as const;
export type Tier = (typeof TIERS)[number];

const CHANNELS = ['call', 'email', 'meeting', 'visit', 'chat', 'letter', 'social', 'other'] as const;

/** Every event type of the catalogue (docs/api/events.md), in its order. */
export const EVENT_TYPES = [
  'CustomerOnboarded',
  'CustomerProfileUpdated',
  'CustomerTierChanged',
  'AccountManagerAssigned',
  'ContactLogged',
  'ComplaintReceived',
  'ComplaintAcknowledged',
  'ComplaintUpdateSent',
  'ComplaintResolved',
  'ComplaintReopened',
  'RecoveryGestureMade',
  'ComplaintFeedbackReceived',
  'ComplimentReceived',
  'NpsResponded',
  'PromiseMade',
  'PromiseKept',
  'PromiseCancelled',
  'DelightMomentRecorded',
  'CustomerChurned',
  'ContractRenewed',
  'CustomerReactivated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Events the platform records itself and no client may send:
 * CustomerDataErased is written by the erasure call (docs/erasure.md).
 */
export const PLATFORM_EVENT_TYPES = ['CustomerDataErased'] as const;
export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

/** Every type a stored event may have: the catalogue's, then the platform's own. */
export const RECORDED_EVENT_TYPES = [...EVENT_TYPES, ...PLATFORM_EVENT_TYPES] as const;
export type RecordedEventType = (typeof RECORDED_EVENT_TYPES)[number];

// Messages are sentence tails: validation puts the field's path in front.
const id = z.string().min(1).max(128);
const text = (max = 10_000) => z.string().max(max);
const name = z.string().min(1).max(500);
const money = z.number().min(0);
// Sent as any RFC 3339 instant, kept normalised: the two sides are separate
// schemas so requests and stored events each get their own JSON Schema.
const instant = sentInstantSchema
  .transform((value, ctx) => {
    const normalised = normaliseRfc3339(value);
    if (normalised === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an RFC 3339 timestamp with offset, e.g. 2026-03-01T10:15:00Z',
      });
      return z.NEVER;
    }
    return normalised;
  })
  .pipe(keptInstantSchema);

// Data schemas per event type: strict, so unknown fields are rejected.
export const eventDataSchemas = {
  CustomerOnboarded: z.strictObject({
    name,
    tier: z.enum(TIERS).default('standard'),
    accountManagerId: id,
    segment: text(200).optional(),
    contractValue: money.optional(),
  }),
  CustomerProfileUpdated: z
    .strictObject({ name: name.optional(), segment: text(200).optional(), contractValue: money.optional() })
    .refine(
      (d) => d.name !== undefined || d.segment !== undefined || d.contractValue !== undefined,
      'must set at least one of name, segment, contractValue',
    )
    // The refinement as JSON Schema says it: every field is optional and known.
    .meta({ minProperties: 1 }),
  CustomerTierChanged: z.strictObject({ tier: z.enum(TIERS) }),
  AccountManagerAssigned: z.strictObject({ accountManagerId: id }),
  ContactLogged: z.strictObject({
    channel: z.enum(CHANNELS),
    direction: z.enum(['inbound', 'outbound']),
    touchpoint: text(200).optional(),
    summary: text().optional(),
  }),
  ComplaintReceived: z.strictObject({
    complaintId: id,
    channel: z.enum(CHANNELS),
    category: text(200).optional(),
    severity: z.enum(['low', 'medium', 'high']).optional(),
    summary: text().optional(),
  }),
  ComplaintAcknowledged: z.strictObject({ complaintId: id }),
  ComplaintUpdateSent: z.strictObject({ complaintId: id, message: text().optional() }),
  ComplaintResolved: z.strictObject({ complaintId: id, resolution: text().optional() }),
  ComplaintReopened: z.strictObject({ complaintId: id, reason: text().optional() }),
  RecoveryGestureMade: z.strictObject({
    complaintId: id,
    kind: z.enum(['apology', 'handwritten-card', 'flowers', 'gift', 'discount', 'refund', 'other']),
    note: text().optional(),
  }),
  ComplaintFeedbackReceived: z.strictObject({
    complaintId: id,
    satisfied: z.boolean(),
    improvement: text().optional(),
  }),
  ComplimentReceived: z.strictObject({
    channel: z.enum(CHANNELS),
    about: text(200).optional(),
    summary: text().optional(),
  }),
  NpsResponded: z.strictObject({
    score: z
      .number()
      .int('must be a whole number from 0 to 10')
      .min(0, 'must be a whole number from 0 to 10')
      .max(10, 'must be a whole number from 0 to 10'),
    touchpoint: text(200).optional(),
    comment: text().optional(),
  }),
  PromiseMade: z.strictObject({
    promiseId: id,
    description: text().min(1),
    dueAt: instant,
  }),
  PromiseKept: z.strictObject({ promiseId: id }),
  PromiseCancelled: z.strictObject({ promiseId: id, reason: text().optional() }),
  DelightMomentRecorded: z.strictObject({
    kind: z.enum(['unprompted', 'exception', 'saying-no', 'complaint-recovery', 'other']),
    description: text().min(1),
    declaredAsException: z.boolean().optional(),
  }),
  CustomerChurned: z.strictObject({ reason: text().optional() }),
  ContractRenewed: z.strictObject({ contractValue: money.optional() }),
  CustomerReactivated: z.strictObject({}),
} as const satisfies Record<EventType, z.ZodType>;

export type EventDataMap = { [T in EventType]: z.output<(typeof eventDataSchemas)[T]> };

/** The platform's own events' data: nothing personal, so they never need a key. */
export const platformEventDataSchemas = {
  // Who asked and why are in the erasure's audit trail, not in the log.
  CustomerDataErased: z.strictObject({}),
} as const satisfies Record<PlatformEventType, z.ZodType>;

/**
 * Each stored type's data as it is read back: as accepted, except that a
 * personal field may be null (its customer's key was erased) and the
 * refinements of accepted events (at least one field set) are not asked
 * again; an event accepted once is never refused on reading.
 */
export const recordedDataSchemas = Object.fromEntries(
  RECORDED_EVENT_TYPES.map((type) => {
    const schema: z.ZodObject =
      type in eventDataSchemas
        ? eventDataSchemas[type as EventType]
        : platformEventDataSchemas[type as PlatformEventType];
    const shape = Object.fromEntries(
      Object.entries(schema.shape).map(([field, fieldSchema]) => [
        field,
        PERSONAL_DATA_FIELDS.has(field) ? (fieldSchema as z.ZodType).nullable() : fieldSchema,
      ]),
    );
    return [type, z.strictObject(shape)];
  }),
) as unknown as Record<RecordedEventType, z.ZodType>;

export type RecordedDataMap = { [T in EventType]: Erasable<EventDataMap[T]> } & {
  [T in PlatformEventType]: z.output<(typeof platformEventDataSchemas)[T]>;
};

interface EnvelopeOf<T extends RecordedEventType, Data extends Record<T, unknown>> {
  id: string;
  type: T;
  customerId: string;
  /** ISO 8601 UTC with milliseconds (normalised on the way in). */
  occurredAt: string;
  actorId?: string;
  data: Data[T];
  metadata?: Record<string, unknown>;
}

/** An event as a client sends it, once validated: a union discriminated by `type`. */
export type SentEvent = { [T in EventType]: EnvelopeOf<T, EventDataMap> }[EventType];

/**
 * A stored event as the rules read it: any recorded type, its personal
 * fields null when its customer's data was erased (metadata then absent).
 */
export type DomainEvent = { [T in RecordedEventType]: EnvelopeOf<T, RecordedDataMap> }[RecordedEventType];
export type EventOf<T extends RecordedEventType> = EnvelopeOf<T, RecordedDataMap>;

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);
/** Whether a client may send this type. */
export const isEventType = (type: string): type is EventType => eventTypes.has(type);

const recordedTypes: ReadonlySet<string> = new Set(RECORDED_EVENT_TYPES);
/** Whether a stored event of this type can be read. */
export const isRecordedEventType = (type: string): type is RecordedEventType => recordedTypes.has(type);
const platformTypes: ReadonlySet<string> = new Set(PLATFORM_EVENT_TYPES);
export const isPlatformEventType = (type: string): type is PlatformEventType => platformTypes.has(type);

/** Events that are a contact with the customer (docs/rules.md, "Contacts and silence"). */
export const CONTACT_EVENT_TYPES = [
  'ContactLogged',
  'ComplaintReceived',
  'ComplaintAcknowledged',
  'ComplaintUpdateSent',
  'ComplaintResolved',
  'ComplimentReceived',
  'DelightMomentRecorded',
] as const satisfies readonly EventType[];

const contactTypes: ReadonlySet<string> = new Set(CONTACT_EVENT_TYPES);
export const isContactEvent = (type: string): boolean => contactTypes.has(type);
