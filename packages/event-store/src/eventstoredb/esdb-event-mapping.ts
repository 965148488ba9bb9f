import { createHash } from 'node:crypto';
import { canonicalJson } from '@crh/domain';
import type { AppendEvent, RecordedEvent } from '../port.ts';
import type { EsdbProposedEvent, EsdbRecord } from './esdb-log.ts';
import { encodeEsdbPosition } from './esdb-position.ts';

/**
 * How our envelope is laid out in an EventStoreDB event: type and data are
 * ours as they are; the metadata carries the rest of the envelope, with the
 * client's own metadata nested under `metadata` so no key of theirs can
 * collide with ours and null stays distinguishable from {}.
 */
export interface EnvelopeMetadata {
  customerId: string;
  occurredAt: string;
  actorId: string | null;
  metadata: Record<string, unknown> | null;
}

export function toProposedEvent(event: AppendEvent): EsdbProposedEvent {
  const metadata: EnvelopeMetadata = {
    customerId: event.customerId,
    occurredAt: toIsoMillis(event.occurredAt),
    actorId: event.actorId ?? null,
    metadata: event.metadata ?? null,
  };
  return {
    id: event.id,
    type: event.type,
    // undefined is not JSON; the PostgreSQL adapter stores it as null too.
    data: event.data ?? null,
    metadata: { ...metadata },
  };
}

/**
 * What an event's id stands for within its stream (the stream fixes the
 * customer), hashed so the ledger keeps 43 characters per event rather than
 * the event: the same for a re-sent envelope whatever its key order or
 * instant notation, different for any change of content.
 */
export function appendFingerprint(event: AppendEvent): string {
  return fingerprint(
    event.type,
    toIsoMillis(event.occurredAt),
    event.actorId ?? null,
    event.data ?? null,
    event.metadata ?? null,
  );
}

/** The fingerprint of a stored event, or null for an event that is not one of ours. */
export function recordFingerprint(record: EsdbRecord): string | null {
  const metadata = envelopeMetadata(record.metadata);
  if (metadata === null) return null;
  return fingerprint(record.type, metadata.occurredAt, metadata.actorId, record.data, metadata.metadata);
}

const fingerprint = (...content: unknown[]): string =>
  createHash('sha256').update(canonicalJson(content)).digest('base64url');

/**
 * The stored envelope, or null for an event that is not one of ours (another
 * namespace, a system event, or an event some other tool wrote without our
 * metadata). The customer id comes from the stream name, the single source
 * of truth for where the event lives.
 */
export function toRecordedEvent(record: EsdbRecord, streamPrefix: string): RecordedEvent | null {
  if (!record.streamId.startsWith(streamPrefix) || record.type.startsWith('$')) return null;
  const metadata = envelopeMetadata(record.metadata);
  if (metadata === null) return null;
  return {
    id: record.id,
    type: record.type,
    customerId: record.streamId.slice(streamPrefix.length),
    occurredAt: metadata.occurredAt,
    actorId: metadata.actorId,
    data: record.data,
    metadata: metadata.metadata,
    position: encodeEsdbPosition(record.position),
    revision: Number(record.revision),
    recordedAt: record.created.toISOString(),
  };
}

function envelopeMetadata(value: unknown): EnvelopeMetadata | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const fields = value as Record<string, unknown>;
  if (typeof fields.occurredAt !== 'string') return null;
  const nested = fields.metadata;
  return {
    customerId: typeof fields.customerId === 'string' ? fields.customerId : '',
    occurredAt: toIsoMillis(fields.occurredAt),
    actorId: typeof fields.actorId === 'string' ? fields.actorId : null,
    metadata:
      typeof nested === 'object' && nested !== null && !Array.isArray(nested)
        ? (nested as Record<string, unknown>)
        : null,
  };
}

/** ISO 8601 UTC with milliseconds, as the PostgreSQL adapter returns it. */
function toIsoMillis(instant: string): string {
  const time = Date.parse(instant);
  return Number.isNaN(time) ? instant : new Date(time).toISOString();
}
