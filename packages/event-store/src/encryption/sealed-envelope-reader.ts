import { LRUCache } from 'lru-cache';
import { openEvent } from './event-sealing.ts';
import { FieldCipher } from './field-cipher.ts';

/**
 * Where a reader of sealed envelopes gets customers' data keys: each asked
 * customer's key, null when erased, absent when it has none (nothing of it
 * is sealed). `customerKeysFromApi` asks the platform.
 */
export type CustomerKeySource = (
  customerIds: readonly string[],
) => Promise<{ keys: Map<string, Uint8Array | null>; cacheSeconds: number }>;

/** A stored envelope as JSON gives it (a Kafka message's value, a line of a dump of crh.events). */
export type SealedEnvelope = {
  id: string;
  type: string;
  customerId: string;
  data: unknown;
  metadata?: Record<string, unknown>;
} & Record<string, unknown>;

const ERASURE_EVENT = 'CustomerDataErased';

/**
 * Opens sealed envelopes (the Kafka topic's values) for a data team
 * (docs/erasure.md, "For a data team"): each personal field with its
 * customer's key, fetched in bulk from `keys` and kept no longer than the
 * platform says (the bound on an erasure reaching this reader); an erased
 * customer's fields read null and the envelope `erased: true`, as the
 * platform's own reads give them. Meeting a customer's CustomerDataErased
 * forgets its key at once.
 */
export function createSealedEnvelopeReader(options: { keys: CustomerKeySource; maxCustomers?: number }) {
  const cache = new LRUCache<string, { cipher: FieldCipher | null }>({ max: options.maxCustomers ?? 10_000 });
  return {
    async open<E extends SealedEnvelope>(envelopes: readonly E[]): Promise<(E & { erased?: true })[]> {
      for (const e of envelopes) if (e.type === ERASURE_EVENT) cache.delete(e.customerId);
      const missing = [...new Set(envelopes.map((e) => e.customerId))].filter((id) => !cache.has(id));
      if (missing.length > 0) {
        const { keys, cacheSeconds } = await options.keys(missing);
        const ttl = Math.max(1, cacheSeconds * 1000);
        for (const id of missing) {
          const key = keys.get(id);
          if (key !== undefined)
            cache.set(id, { cipher: key === null ? null : new FieldCipher(key) }, { ttl });
        }
      }
      return envelopes.map((e) => {
        const opened = openEvent({ ...e, metadata: e.metadata ?? null }, cache.get(e.customerId)?.cipher);
        // The envelope's own key order, metadata left out when erased, `erased` last (as toEnvelope).
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(e)) {
          if (key !== 'metadata') out[key] = (opened as Record<string, unknown>)[key];
          else if (opened.metadata !== null) out.metadata = opened.metadata;
        }
        if (opened.erased) out.erased = true;
        return out as E & { erased?: true };
      });
    },
  };
}

/**
 * The platform's key endpoint (POST /v1/customer-keys on the ingest API,
 * an `analyst` token) as a key source, 1,000 customers a request.
 */
export function customerKeysFromApi(options: {
  /** The ingest API's base URL, e.g. http://localhost:4001. */
  url: string;
  /** `Bearer <token>`, or a function giving a fresh one. */
  authorization: string | (() => string | Promise<string>);
}): CustomerKeySource {
  return async (customerIds) => {
    const keys = new Map<string, Uint8Array | null>();
    let cacheSeconds = Number.POSITIVE_INFINITY;
    for (let i = 0; i < customerIds.length; i += 1_000) {
      const authorization =
        typeof options.authorization === 'string' ? options.authorization : await options.authorization();
      const response = await fetch(`${options.url}/v1/customer-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ customerIds: customerIds.slice(i, i + 1_000) }),
      });
      if (!response.ok)
        throw new Error(`POST /v1/customer-keys answered ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as {
        keys: { customerId: string; key?: string; erased?: true }[];
        cacheSeconds: number;
      };
      cacheSeconds = Math.min(cacheSeconds, body.cacheSeconds);
      for (const answer of body.keys) {
        if (answer.erased) keys.set(answer.customerId, null);
        else if (answer.key) keys.set(answer.customerId, Buffer.from(answer.key, 'base64url'));
      }
    }
    return { keys, cacheSeconds };
  };
}
