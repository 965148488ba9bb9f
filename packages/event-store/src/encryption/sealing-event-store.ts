import { envelopeContent, type PlatformEventType } from '@crh/domain';
import {
  type AppendEvent,
  type AppendOutcome,
  type EventStore,
  IdConflictError,
  type NewestFirstPage,
  type ReadAllOptions,
  type RecordedEvent,
  type ReplayOptions,
  type SubscribeOptions,
} from '../port.ts';
import { rememberTraceContext, traceContextOf } from '../trace-context.ts';
import type { CustomerKeys } from './customer-keys.ts';
import { isSealedFormat, openEvent, sealEvent } from './event-sealing.ts';
import { holdsPersonalData } from './personal-fields.ts';
import {
  ANYTHING_TO_OPEN,
  customerOfLine,
  holdsPersonalLine,
  openReplayLine,
} from './replay-line-opening.ts';

/** The event the erasure call records (docs/erasure.md). */
const ERASURE_EVENT_TYPE: PlatformEventType = 'CustomerDataErased';

/**
 * An event store whose personal fields are sealed with their customer's
 * key on the way in and opened on every way out (crypto-shredding, see
 * docs/erasure.md), around any adapter: what the adapter stores, indexes,
 * copies and backs up is ciphertext. Appending personal data for an erased
 * customer throws CustomerErasedError; reading an erased customer's events
 * gives their personal fields as null and `erased: true`.
 */
export function createSealingEventStore(inner: EventStore, keys: CustomerKeys): EventStore {
  const open = async (events: readonly RecordedEvent[]): Promise<RecordedEvent[]> => {
    if (events.length === 0) return [];
    forgetErasedKeys(keys, events);
    const ciphers = await keys.forOpening(events.map((e) => e.customerId));
    // The trace context an adapter read travels with the event object (see trace-context.ts).
    return events.map((e) =>
      rememberTraceContext(openEvent(e, ciphers.get(e.customerId)), traceContextOf(e)),
    );
  };
  return {
    migrate: () => inner.migrate(),
    pendingMigrations: () => inner.pendingMigrations(),
    async append(events: readonly AppendEvent[]): Promise<AppendOutcome[]> {
      const personal = events.map((e) => holdsPersonalData(e.data, e.metadata));
      if (!personal.includes(true)) return inner.append(events);
      const ciphers = await keys.forSealing(events.filter((_, i) => personal[i]).map((e) => e.customerId));
      const sealed = events.map((e, i) => (personal[i] ? sealEvent(e, ciphers.get(e.customerId)!) : e));
      try {
        return await inner.append(sealed);
      } catch (error) {
        if (!(error instanceof IdConflictError)) throw error;
        // A retry of an event stored in an earlier stored version differs
        // from it in bytes only: sent as it was stored, it is the duplicate it is.
        const stored = await earlierVersionDuplicates(inner, keys, events, error.ids);
        if (stored.size < error.ids.length) throw error;
        return inner.append(sealed.map((e) => asStored(stored.get(e.id)) ?? e));
      }
    },
    readStream: async (customerId, options) => open(await inner.readStream(customerId, options)),
    async readStreams(customerIds) {
      const streams = await inner.readStreams(customerIds);
      const opened = await open([...streams.values()].flat());
      const out = new Map<string, RecordedEvent[]>();
      for (const event of opened) {
        const list = out.get(event.customerId);
        if (list) list.push(event);
        else out.set(event.customerId, [event]);
      }
      return out;
    },
    async readNewestFirst(pages: readonly NewestFirstPage[]) {
      const lists = await inner.readNewestFirst(pages);
      return regroup(lists, await open(lists.flat()));
    },
    async *readStreamsUpTo(upTo, options) {
      for await (const streams of inner.readStreamsUpTo(upTo, options)) {
        yield regroup(streams, await open(streams.flat()));
      }
    },
    readAll: async (options: ReadAllOptions) => open(await inner.readAll(options)),
    headPosition: () => inner.headPosition(),
    async *replay(options: ReplayOptions) {
      for await (const chunk of inner.replay(options)) yield await openLines(chunk, keys);
    },
    countEvents: (options) => inner.countEvents(options),
    async *subscribeAll(options: SubscribeOptions) {
      for await (const batch of inner.subscribeAll(options)) yield await open(batch);
    },
    ...(inner.eraseStoredPlaintext
      ? { eraseStoredPlaintext: (customerId: string) => inner.eraseStoredPlaintext!(customerId) }
      : {}),
    close: () => inner.close(),
  };
}

/**
 * A reader that meets a customer's erasure event stops using the key it may
 * still hold in its cache (the erasure destroyed it in another process):
 * the customer's events, in this read and after it, open as erased. The
 * erasure's notice (see CustomerKeys) usually came first; this makes it
 * certain for every reader of the log.
 */
function forgetErasedKeys(keys: CustomerKeys, events: readonly { type: string; customerId: string }[]): void {
  const erased = events.filter((e) => e.type === ERASURE_EVENT_TYPE).map((e) => e.customerId);
  if (erased.length > 0) keys.evict(erased);
}

/**
 * Of the ids the adapter refused, those stored in an earlier stored version
 * (plaintext, or sealed without the format's mark) whose content, opened,
 * is the event sent now: the same event, sent again after an upgrade.
 * Returned as they are stored, so the adapter takes them as duplicates.
 */
async function earlierVersionDuplicates(
  inner: EventStore,
  keys: CustomerKeys,
  events: readonly AppendEvent[],
  ids: readonly string[],
): Promise<Map<string, RecordedEvent>> {
  const sent = new Map(events.filter((e) => ids.includes(e.id)).map((e) => [e.id, e]));
  const customers = [...new Set([...sent.values()].map((e) => e.customerId))];
  const ciphers = await keys.forOpening(customers);
  const same = new Map<string, RecordedEvent>();
  for (const customerId of customers) {
    for (const stored of await inner.readStream(customerId)) {
      const event = sent.get(stored.id);
      if (!event || isSealedFormat(stored.metadata)) continue;
      const opened = openEvent(stored, ciphers.get(customerId));
      if (envelopeContent(opened) === envelopeContent(event)) same.set(stored.id, stored);
    }
  }
  return same;
}

/** A stored event as an append sends it (what the store assigned left out). */
function asStored(stored: RecordedEvent | undefined): AppendEvent | undefined {
  if (!stored) return undefined;
  return {
    id: stored.id,
    type: stored.type,
    customerId: stored.customerId,
    occurredAt: stored.occurredAt,
    ...(stored.actorId === null ? {} : { actorId: stored.actorId }),
    data: stored.data,
    ...(stored.metadata === null ? {} : { metadata: stored.metadata }),
  };
}

/** `flat` (the lists one after the other) cut back into lists of the same lengths. */
function regroup<T>(lists: readonly (readonly unknown[])[], flat: readonly T[]): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (const list of lists) {
    out.push(flat.slice(start, start + list.length));
    start += list.length;
  }
  return out;
}

/**
 * A replay chunk (NDJSON of stored envelopes) with its sealed values opened,
 * and the plaintext personal values of events stored before sealing nulled
 * when their customer was erased. Only lines that hold personal data are
 * touched, so a log of events without it streams as the adapter prints it.
 */
async function openLines(chunk: string, keys: CustomerKeys): Promise<string> {
  // One scan of the chunk (measured: half the time of one includes per pattern).
  if (!ANYTHING_TO_OPEN.test(chunk)) return chunk;
  const lines = chunk.split('\n');
  if (chunk.includes(ERASURE_EVENT_TYPE)) {
    const erasures = lines.filter((line) => line.includes(`"type":"${ERASURE_EVENT_TYPE}"`));
    keys.evict(erasures.map(customerOfLine)); // as forgetErasedKeys, without parsing the lines
  }
  const personal: number[] = [];
  lines.forEach((line, i) => {
    if (holdsPersonalLine(line)) personal.push(i);
  });
  if (personal.length === 0) return chunk;
  const customers = personal.map((i) => customerOfLine(lines[i]!));
  const ciphers = await keys.forOpening(customers);
  personal.forEach((i, n) => {
    lines[i] = openReplayLine(lines[i]!, ciphers.get(customers[n]!));
  });
  return lines.join('\n');
}
