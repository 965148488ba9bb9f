import { type FieldCipher, isSealed } from './field-cipher.ts';
import { mapPersonalFields } from './personal-fields.ts';

/** Stored metadata, sealed whole: `{ "$sealed": "enc:v1:..." }`. */
export const SEALED_METADATA_KEY = '$sealed';
/** The associated-data name of the metadata (no data field starts with `$`). */
const METADATA_FIELD = '$metadata';

interface Sealable {
  id: string;
  data: unknown;
  metadata?: Record<string, unknown> | null | undefined;
}

/**
 * The event as it is stored: each personal field of its data sealed with
 * its customer's key (see FieldCipher), its metadata sealed whole; every
 * other field as it was. Null and absent values stay as they are.
 */
export function sealEvent<E extends Sealable>(event: E, cipher: FieldCipher): E {
  const data = mapPersonalFields(event.data, (value, field) =>
    value === null || value === undefined ? value : cipher.seal(value, event.id, field),
  );
  const metadata =
    event.metadata === null || event.metadata === undefined
      ? event.metadata
      : { [SEALED_METADATA_KEY]: cipher.seal(event.metadata, event.id, METADATA_FIELD) };
  return { ...event, data, metadata };
}

/** A stored event holds sealed values, and its customer has no key row at all (neither a key nor an erasure). */
export class MissingKeyError extends Error {
  readonly code = 'MISSING_CUSTOMER_KEY';
  constructor(customerId: string, eventId: string) {
    super(
      `event ${eventId} of customer ${customerId} holds sealed values, and the customer has no key: ` +
        'the keys table (crh.customer_keys) lost it, or was restored from an older backup than the log (docs/erasure.md)',
    );
    this.name = 'MissingKeyError';
  }
}

/**
 * The event as it was sent, from what is stored: sealed values opened with
 * the customer's key. With `null` (the customer's data was erased) every
 * personal field and the metadata read null and the event says `erased:
 * true`. Values that are not sealed (events stored before encryption) are
 * given as they are. Sealed values with no key at all (`undefined`) throw
 * MissingKeyError: that is a lost key, never taken for an erasure.
 */
export function openEvent<E extends Sealable & { customerId?: string }>(
  event: E,
  cipher: FieldCipher | null | undefined,
): E & { erased?: true } {
  const missing = () => new MissingKeyError(event.customerId ?? '?', event.id);
  let sealedAny = false;
  const data = mapPersonalFields(event.data, (value, field) => {
    if (!isSealed(value)) return value;
    sealedAny = true;
    if (cipher === undefined) throw missing();
    return cipher === null ? null : cipher.open(value, event.id, field);
  });
  let metadata = event.metadata;
  const sealedMetadata = metadata?.[SEALED_METADATA_KEY];
  if (isSealed(sealedMetadata) && Object.keys(metadata!).length === 1) {
    sealedAny = true;
    if (cipher === undefined) throw missing();
    metadata =
      cipher === null
        ? null
        : (cipher.open(sealedMetadata, event.id, METADATA_FIELD) as Record<string, unknown>);
  }
  const opened = { ...event, data, metadata };
  return cipher === null && sealedAny ? { ...opened, erased: true } : opened;
}
