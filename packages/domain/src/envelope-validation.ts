import type { z } from 'zod';
import { envelopeContent } from './canonical-json.ts';
import {
  CUSTOMER_ID_PATTERN as CUSTOMER_ID,
  MAX_ACTOR_ID_LENGTH,
  MAX_EVENTS_PER_REQUEST,
  MAX_METADATA_BYTES,
  EVENT_ID_PATTERN as UUID,
} from './envelope-schema.ts';
import {
  type DomainEvent,
  EVENT_TYPES,
  type EventType,
  eventDataSchemas,
  isEventType,
  isPlatformEventType,
  isRecordedEventType,
  type RecordedEventType,
  recordedDataSchemas,
  type SentEvent,
} from './event-catalogue.ts';
import { issueTail } from './issue-message.ts';
import { normaliseRfc3339 } from './rfc3339.ts';
import { unstorableJson } from './storable-json.ts';

export type IncomingEvent = SentEvent & { expectedRevision?: number };

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

const ENVELOPE_KEYS = [
  'id',
  'type',
  'customerId',
  'occurredAt',
  'actorId',
  'data',
  'metadata',
  'expectedRevision',
] as const;
const envelopeKeys: ReadonlySet<string> = new Set(ENVELOPE_KEYS);
const utf8 = new TextEncoder();

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a whole ingest request and reports every problem of every
 * envelope, so a client fixes a batch in one round trip.
 */
export function validateEventBatch(body: unknown, options: { maxEvents?: number } = {}): BatchValidation {
  const maxEvents = options.maxEvents ?? MAX_EVENTS_PER_REQUEST;
  if (!isPlainObject(body))
    return batchIssue('The body must be a JSON object of the form {"events": [...]}.');
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) {
    return batchIssue(`The body may hold only "events"; unknown top-level field(s): ${extra.join(', ')}.`);
  }
  const events = body.events;
  if (events === undefined) return batchIssue(`events is required: an array of 1 to ${maxEvents} envelopes.`);
  if (!Array.isArray(events)) return batchIssue('events must be an array of event envelopes.');
  if (events.length < 1 || events.length > maxEvents) {
    return batchIssue(`events must hold 1 to ${maxEvents} envelopes; it holds ${events.length}.`);
  }
  const issues: ValidationIssue[] = [];
  const valid: IncomingEvent[] = [];
  events.forEach((envelope, index) => {
    const result = validateEnvelope(envelope);
    if (result.ok) valid.push(result.event);
    else issues.push(...result.issues.map((issue) => ({ index, ...issue })));
  });
  if (issues.length > 0) return { ok: false, issues };
  const conflicts = inBatchIdConflicts(valid);
  return conflicts.length > 0 ? { ok: false, issues: conflicts } : { ok: true, events: valid };
}

/**
 * An id sent twice in one batch: the same content counts once (a client
 * re-sending within its own batch), different content is a contradiction
 * the client must resolve; it is refused rather than keeping either one.
 */
function inBatchIdConflicts(events: readonly IncomingEvent[]): ValidationIssue[] {
  const first = new Map<string, { index: number; content: string }>();
  const issues: ValidationIssue[] = [];
  events.forEach((event, index) => {
    const content = envelopeContent(event);
    const earlier = first.get(event.id);
    if (earlier === undefined) first.set(event.id, { index, content });
    else if (earlier.content !== content) {
      issues.push({
        index,
        path: 'id',
        message: `id ${event.id} is also at index ${earlier.index} with different content; one id stands for one event.`,
      });
    }
  });
  return issues;
}

function batchIssue(message: string): BatchValidation {
  return { ok: false, issues: [{ path: 'events', message }] };
}

type EnvelopeResult<E = IncomingEvent> =
  | { ok: true; event: E }
  | { ok: false; issues: Omit<ValidationIssue, 'index'>[] };

/**
 * One envelope as a client sends it: every field checked, every problem
 * reported, and what the store cannot keep exactly refused.
 */
export function validateEnvelope(envelope: unknown): EnvelopeResult {
  return checkEnvelope(envelope, false) as EnvelopeResult;
}

/**
 * The checks of both directions. `recorded`: an event read back from the
 * store, which was accepted when it came and must not be parked by a rule
 * added later: storability is not asked again, the platform's own types are
 * known, and personal fields may be null (erased).
 */
function checkEnvelope(envelope: unknown, recorded: boolean): EnvelopeResult<IncomingEvent | DomainEvent> {
  if (!isPlainObject(envelope)) {
    return { ok: false, issues: [{ path: '', message: 'An event envelope must be a JSON object.' }] };
  }
  const issues: Omit<ValidationIssue, 'index'>[] = [];
  const problem = (path: string, message: string) => issues.push({ path, message });
  const required = (field: string, what: string) => problem(field, `${field} is required: ${what}.`);

  for (const key of Object.keys(envelope)) {
    if (!envelopeKeys.has(key)) {
      problem(key, `"${key}" is not an envelope field; the fields are ${ENVELOPE_KEYS.join(', ')}.`);
    }
  }
  const { id, type, customerId, occurredAt, actorId, data, metadata, expectedRevision } = envelope;

  if (id === undefined) required('id', 'a UUID chosen by the client');
  else if (typeof id !== 'string' || !UUID.test(id)) {
    problem('id', 'id must be a UUID, e.g. 6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00.');
  }

  const known = recorded ? isRecordedEventType : isEventType;
  const eventType: RecordedEventType | null = typeof type === 'string' && known(type) ? type : null;
  if (type === undefined) required('type', `one of ${EVENT_TYPES.join(', ')}`);
  else if (typeof type === 'string' && isPlatformEventType(type) && !recorded) {
    problem(
      'type',
      `type "${type}" is recorded by the platform itself (POST /v1/customers/{customerId}/erasure); a client cannot send it.`,
    );
  } else if (eventType === null) {
    const shown = typeof type === 'string' ? `"${type}"` : JSON.stringify(type);
    problem('type', `type ${shown} is not an event type; expected one of ${EVENT_TYPES.join(', ')}.`);
  }

  if (customerId === undefined) required('customerId', '1 to 128 characters of A-Z a-z 0-9 . _ : -');
  else if (typeof customerId !== 'string' || !CUSTOMER_ID.test(customerId)) {
    problem('customerId', 'customerId must be 1 to 128 characters of A-Z a-z 0-9 . _ : -.');
  }

  const instant = typeof occurredAt === 'string' ? normaliseRfc3339(occurredAt) : null;
  if (occurredAt === undefined) required('occurredAt', 'an RFC 3339 timestamp with offset');
  else if (instant === null) {
    problem(
      'occurredAt',
      'occurredAt must be an RFC 3339 timestamp with offset on a real calendar date, e.g. 2026-03-01T10:15:00Z.',
    );
  }

  if (
    actorId !== undefined &&
    (typeof actorId !== 'string' || actorId.length < 1 || actorId.length > MAX_ACTOR_ID_LENGTH)
  ) {
    problem('actorId', 'actorId must be a string of 1 to 128 characters when given.');
  }

  if (metadata !== undefined) {
    const bytes = isPlainObject(metadata) ? jsonBytes(metadata) : null;
    if (bytes === null) problem('metadata', 'metadata must be a JSON object when given.');
    else if (bytes > MAX_METADATA_BYTES) {
      problem('metadata', `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON; it is ${bytes}.`);
    }
  }

  if (
    expectedRevision !== undefined &&
    !(Number.isSafeInteger(expectedRevision) && (expectedRevision as number) >= -1)
  ) {
    problem(
      'expectedRevision',
      'expectedRevision must be a whole number of -1 or more (-1: the stream must not exist yet).',
    );
  }

  let parsedData: unknown;
  if (data === undefined) required('data', 'an object, empty for types without fields');
  else if (!isPlainObject(data)) problem('data', 'data must be a JSON object.');
  else if (eventType !== null) {
    const schema = recorded ? recordedDataSchemas[eventType] : eventDataSchemas[eventType as EventType];
    const parsed = (schema as z.ZodType).safeParse(data, { error: issueTail });
    if (parsed.success) parsedData = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        const path = ['data', ...issue.path.map(String)];
        // One issue per unknown field, located at the field itself.
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys) {
            problem([...path, key].join('.'), `"${key}" is not a field of ${eventType} data.`);
          }
        } else problem(path.join('.'), `${path.join('.')} ${issue.message}.`);
      }
    }
  }

  // Text or numbers the store cannot keep exactly: refused, never changed.
  // Such a place's own issue replaces what the field checks said of it.
  const unstorable = recorded ? [] : unstorableJson(envelope, '');
  if (unstorable.length > 0) {
    const places = new Set(unstorable.map((issue) => issue.path));
    return { ok: false, issues: [...unstorable, ...issues.filter((issue) => !places.has(issue.path))] };
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
  return { ok: true, event: event as IncomingEvent | DomainEvent };
}

/** UTF-8 size of the value's JSON, or null when it has none (e.g. a BigInt inside). */
function jsonBytes(value: Record<string, unknown>): number | null {
  try {
    return utf8.encode(JSON.stringify(value)).length;
  } catch {
    return null;
  }
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
  const result = checkEnvelope(
    {
      id: record.id,
      type: record.type,
      customerId: record.customerId,
      occurredAt: record.occurredAt,
      data: record.data,
      ...(record.actorId === null ? {} : { actorId: record.actorId }),
      ...(record.metadata === null ? {} : { metadata: record.metadata }),
    },
    true,
  );
  if (result.ok) return { ok: true, event: result.event as DomainEvent };
  return { ok: false, reason: result.issues.map((i) => i.message).join(' ') };
}
