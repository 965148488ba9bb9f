import type { z } from 'zod';
import { type DomainEvent, EVENT_TYPES, eventDataSchemas, isEventType } from './event-catalogue.ts';
import { normaliseRfc3339 } from './rfc3339.ts';

export type IncomingEvent = DomainEvent & { expectedRevision?: number };

export interface ValidationIssue {
  /** The envelope's index in the batch; absent for problems of the batch itself. */
  index?: number;
  /** Dotted path inside the envelope, e.g. `data.score`; `events` for the batch. */
  path: string;
  message: string;
}

export type BatchValidation =
  | { ok: true; events: IncomingEvent[] }
  | { ok: false; issues: ValidationIssue[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CUSTOMER_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ENVELOPE_KEYS = new Set([
  'id',
  'type',
  'customerId',
  'occurredAt',
  'actorId',
  'data',
  'metadata',
  'expectedRevision',
]);
const MAX_METADATA_BYTES = 4096;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a whole ingest request and reports every problem of every
 * envelope, so a client fixes a batch in one round trip.
 */
export function validateEventBatch(body: unknown, options: { maxEvents?: number } = {}): BatchValidation {
  const maxEvents = options.maxEvents ?? 1000;
  if (!isPlainObject(body)) return batchIssue('the body must be a JSON object {"events": [...]}');
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) return batchIssue(`unknown top-level field(s): ${extra.join(', ')}`);
  const events = body.events;
  if (!Array.isArray(events)) return batchIssue('events must be an array of event envelopes');
  if (events.length < 1 || events.length > maxEvents) {
    return batchIssue(`events must hold 1 to ${maxEvents} envelopes (got ${events.length})`);
  }
  const issues: ValidationIssue[] = [];
  const valid: IncomingEvent[] = [];
  events.forEach((envelope, index) => {
    const result = validateEnvelope(envelope);
    if (result.ok) valid.push(result.event);
    else issues.push(...result.issues.map((issue) => ({ index, ...issue })));
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, events: valid };
}

function batchIssue(message: string): BatchValidation {
  return { ok: false, issues: [{ path: 'events', message }] };
}

type EnvelopeResult =
  | { ok: true; event: IncomingEvent }
  | { ok: false; issues: Omit<ValidationIssue, 'index'>[] };

/** One envelope: every field checked, every problem reported. */
export function validateEnvelope(envelope: unknown): EnvelopeResult {
  if (!isPlainObject(envelope))
    return { ok: false, issues: [{ path: '', message: 'an event envelope must be an object' }] };
  const issues: Omit<ValidationIssue, 'index'>[] = [];
  const problem = (path: string, message: string) => issues.push({ path, message });

  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_KEYS.has(key)) problem(key, `unknown field "${key}"`);
  }
  const { id, type, customerId, occurredAt, actorId, data, metadata, expectedRevision } = envelope;
  if (typeof id !== 'string' || !UUID.test(id)) problem('id', 'id must be a UUID chosen by the client');
  if (typeof type !== 'string' || !isEventType(type)) {
    problem('type', `type must be one of ${EVENT_TYPES.join(', ')}`);
  }
  if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId)) {
    problem('customerId', 'customerId must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  }
  const instant = typeof occurredAt === 'string' ? normaliseRfc3339(occurredAt) : null;
  if (instant === null) {
    problem('occurredAt', 'occurredAt must be an RFC 3339 timestamp with offset, e.g. 2026-03-01T10:15:00Z');
  }
  if (actorId !== undefined && (typeof actorId !== 'string' || actorId.length < 1 || actorId.length > 128)) {
    problem('actorId', 'actorId must be a string of 1-128 characters when given');
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) problem('metadata', 'metadata must be a JSON object when given');
    else if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
      problem('metadata', `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`);
    }
  }
  if (
    expectedRevision !== undefined &&
    !(Number.isSafeInteger(expectedRevision) && (expectedRevision as number) >= -1)
  ) {
    problem(
      'expectedRevision',
      'expectedRevision must be an integer >= -1 (-1: the stream must not exist yet)',
    );
  }

  let parsedData: unknown;
  if (data === undefined) problem('data', 'data is required (an object, possibly empty)');
  else if (typeof type === 'string' && isEventType(type)) {
    const parsed = (eventDataSchemas[type] as z.ZodType).safeParse(data);
    if (parsed.success) parsedData = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        const path = ['data', ...issue.path.map(String)];
        // One issue per unknown field, located at the field itself.
        if (issue.code === 'unrecognized_keys')
          for (const key of issue.keys) problem([...path, key].join('.'), `unknown field "${key}"`);
        else problem(path.join('.'), describe(issue));
      }
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  const event = {
    id: (id as string).toLowerCase(),
    type,
    customerId,
    occurredAt: instant,
    data: parsedData,
    ...(actorId === undefined ? {} : { actorId }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(expectedRevision === undefined ? {} : { expectedRevision }),
  };
  return { ok: true, event: event as IncomingEvent };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message;
}

/** Events read back from the store: the projector parks those this code cannot read. */
export function parseRecordedEvent(record: {
  id: string;
  type: string;
  customerId: string;
  occurredAt: string;
  actorId: string | null;
  data: unknown;
  metadata: Record<string, unknown> | null;
}): { ok: true; event: DomainEvent } | { ok: false; reason: string } {
  const result = validateEnvelope({
    id: record.id,
    type: record.type,
    customerId: record.customerId,
    occurredAt: record.occurredAt,
    data: record.data,
    ...(record.actorId === null ? {} : { actorId: record.actorId }),
    ...(record.metadata === null ? {} : { metadata: record.metadata }),
  });
  if (result.ok) return { ok: true, event: result.event };
  return { ok: false, reason: result.issues.map((i) => `${i.path || 'envelope'}: ${i.message}`).join('; ') };
}
