import { type RecordedEvent, toEnvelope } from '@crh/event-store';
import kafkajs, { type Message } from 'kafkajs';

export const POSITION_HEADER = 'position';

/** A message of the relay's topic, with its partition already chosen. */
export interface RelayMessage extends Message {
  partition: number;
  /** Approximate bytes on the wire, to keep each produce request under the broker's limit. */
  size: number;
}

/**
 * The partition of a customer's events: kafkajs's DefaultPartitioner, which
 * is the Java client's (murmur2 of the key, modulo the partition count), so
 * the key alone says where a customer lives for any client. The relay
 * assigns it on every message itself because it must know it: after a
 * restart it skips, partition by partition, what that partition already
 * holds.
 */
export function customerPartitioner(partitions: number): (customerId: string) => number {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  // Only the length matters for keyed messages.
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return (customerId) =>
    partitioner({ topic: '', partitionMetadata, message: { key: customerId, value: null } });
}

/**
 * Key = customerId (per-customer order); value = the stored envelope as the
 * ingest and replay APIs return it; headers let a consumer route or filter
 * without parsing JSON; the timestamp is when the event was recorded, so
 * time-based offset lookups follow the log rather than the relay's lag.
 */
export function toRelayMessage(event: RecordedEvent, partition: number): RelayMessage {
  const value = JSON.stringify(toEnvelope(event));
  const headers = {
    type: event.type,
    [POSITION_HEADER]: event.position,
    id: event.id,
    occurredAt: event.occurredAt,
  };
  return {
    key: event.customerId,
    value,
    partition,
    timestamp: String(Date.parse(event.recordedAt)),
    headers,
    // Record and header framing is a few dozen bytes; 160 is on the safe side.
    size: Buffer.byteLength(value) + event.customerId.length + event.type.length + 160,
  };
}

/** Per partition, what one produce request may hold. */
export interface RequestLimits {
  /** Bytes: kafkajs writes a partition's share as one record batch, refused above max.message.bytes (1 MiB by default). */
  bytes: number;
  /**
   * Messages: kafkajs groups a request's messages by partition by copying
   * the partition's array for every message, so its cost grows with the
   * square of this; a few hundred keep it small next to the encoding.
   */
  messages: number;
}

/** Splits messages, in order, into produce requests within `limits` for every partition. */
export function* produceRequests(
  messages: readonly RelayMessage[],
  limits: RequestLimits,
): Generator<RelayMessage[]> {
  let request: RelayMessage[] = [];
  let shares = new Map<number, { bytes: number; messages: number }>();
  for (const message of messages) {
    let share = shares.get(message.partition);
    if (share && (share.bytes + message.size > limits.bytes || share.messages >= limits.messages)) {
      yield request;
      request = [];
      shares = new Map();
      share = undefined;
    }
    if (!share) {
      share = { bytes: 0, messages: 0 };
      shares.set(message.partition, share);
    }
    request.push(message);
    share.bytes += message.size;
    share.messages += 1;
  }
  if (request.length > 0) yield request;
}
