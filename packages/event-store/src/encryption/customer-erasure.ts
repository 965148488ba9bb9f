import { createHash } from 'node:crypto';
import type { PlatformEventType } from '@crh/domain';
import type { Queryable } from '@crh/postgres';
import type { EventStore } from '../port.ts';
import type { CustomerKeys } from './customer-keys.ts';

const ERASURE_EVENT: PlatformEventType = 'CustomerDataErased';

/** Where the audit trail (crh.customer_erasures) is written: a pool or a client. */
export type ErasureAudit = Queryable;

/** Who asks for an erasure, and why: the audit trail's line (never what is erased). */
export interface ErasureRequest {
  customerId: string;
  /** The caller (a token's `sub`, or the operator of `crh forget`). */
  requestedBy: string;
  /** Why, in the caller's words (e.g. a ticket number); it should not name the person. */
  reason?: string | undefined;
}

/** The answer of an erasure, the same for every repeat of it. */
export interface ErasureOutcome {
  customerId: string;
  /** When the customer's key was destroyed (the first request's time), ISO 8601 UTC. */
  erasedAt: string;
  /** The CustomerDataErased event's position in the log. */
  position: string;
  /** Whether this request erased (false: the customer was erased before). */
  first: boolean;
}

/** Erasing a customer the log has no event of: nothing to erase, and nothing is recorded. */
export class UnknownCustomerError extends Error {
  readonly code = 'UNKNOWN_CUSTOMER';
  constructor(customerId: string) {
    super(`customer ${customerId} has no events: there is nothing to erase`);
    this.name = 'UnknownCustomerError';
  }
}

/**
 * The erasure event's id, derived from the customer's id (a name-based
 * UUID, version 8 over SHA-256): a repeat of the erasure, or a retry after
 * a crash between its steps, appends the same event, which the store takes
 * as a duplicate; the log holds one erasure event per customer.
 */
export function erasureEventId(customerId: string): string {
  const hash = createHash('sha256').update(`crh:${ERASURE_EVENT}:${customerId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80; // version 8
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Erases a customer's personal data (docs/erasure.md): destroys its data
 * key (every sealed field of its events, in the log, its copies and
 * backups, opens no more, and new personal data is refused), records a
 * CustomerDataErased event in its stream (no personal data in it: the
 * read models null their personal text when they apply it), and writes
 * the audit line. Idempotent, and safe to retry after any failure: each
 * step is, and a repeat answers the first erasure's time and position.
 *
 * `store` must be the sealing store over `keys` (it reads the event back
 * through them); `audit` is where crh.customer_erasures lives.
 */
export async function eraseCustomer(
  store: EventStore,
  keys: CustomerKeys,
  audit: ErasureAudit,
  request: ErasureRequest,
): Promise<ErasureOutcome> {
  const { customerId } = request;
  if ((await store.readStream(customerId, { limit: 1 })).length === 0) {
    throw new UnknownCustomerError(customerId);
  }
  const erasure = await keys.erase(customerId);
  // Its events stored before sealing hold plaintext no key protects: nulled
  // in place where the log can be rewritten (PostgreSQL; docs/erasure.md).
  await store.eraseStoredPlaintext?.(customerId);
  // The event's instant is the key's destruction, to the millisecond, so a
  // repeat sends the very same event.
  const erasedAt = new Date(erasure.erasedAt).toISOString();
  const [outcome] = await store.append([
    { id: erasureEventId(customerId), type: ERASURE_EVENT, customerId, occurredAt: erasedAt, data: {} },
  ]);
  await audit.query(
    `insert into crh.customer_erasures (customer_id, requested_by, reason, erased_at, first, position)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      customerId,
      request.requestedBy,
      request.reason ?? null,
      erasure.erasedAt,
      erasure.first,
      outcome!.position,
    ],
  );
  return { customerId, erasedAt, position: outcome!.position, first: erasure.first };
}
