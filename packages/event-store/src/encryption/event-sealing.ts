import { type FieldCipher, FieldIntegrityError, isSealed } from './field-cipher.ts';
import { mapPersonalFields } from './personal-fields.ts';

/** Stored metadata, sealed whole: `{ "$crh": "sealed-v1", "$sealed": "enc:v1:..." }`. */
export const SEALED_METADATA_KEY = '$sealed';
/**
 * The stored format's mark, in the stored metadata (which is all the
 * platform's: a client's metadata is sealed inside it). Stored versions:
 * 1, no mark: as sent, in plaintext (before sealing), or sealed by the first
 * release that sealed (values `enc:v1:`, no mark); 2, the mark
 * `sealed-v1`: every personal value sealed, or null once erased. openEvent
 * is the upcaster of both; `crh encrypt-existing` turns 1 into 2.
 */
export const FORMAT_KEY = '$crh';
export const SEALED_FORMAT = 'sealed-v1';
/** The associated-data name of the metadata (no data field starts with `$`). */
const METADATA_FIELD = '$metadata';

interface Sealable {
  id: string;
  data: unknown;
  metadata?: Record<string, unknown> | null | undefined;
}

/**
 * The event as it is stored (version 2): each personal field of its data
 * sealed with its customer's key (see FieldCipher), its metadata sealed
 * whole, the format marked; every other field as it was. Null and absent
 * values stay as they are. `cipher` null: the customer was erased, and its
 * personal values are stored as null (what encrypt-existing does to an
 * erased customer's plaintext).
 */
export function sealEvent<E extends Sealable>(event: E, cipher: FieldCipher | null): E {
  const data = mapPersonalFields(event.data, (value, field) =>
    value === null || value === undefined
      ? value
      : cipher === null
        ? null
        : cipher.seal(value, event.id, field),
  );
  const sealedMetadata =
    event.metadata === null || event.metadata === undefined || cipher === null
      ? {}
      : { [SEALED_METADATA_KEY]: cipher.seal(event.metadata, event.id, METADATA_FIELD) };
  return { ...event, data, metadata: { [FORMAT_KEY]: SEALED_FORMAT, ...sealedMetadata } };
}

/** Whether a stored event is in the sealed format (version 2). */
export const isSealedFormat = (metadata: Record<string, unknown> | null | undefined): boolean =>
  metadata?.[FORMAT_KEY] === SEALED_FORMAT;

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
 * The event as it was sent, from what is stored, whichever stored version
 * (the upcaster): sealed values opened with the customer's key. With `null`
 * (the customer's data was erased) every personal field and the metadata
 * read null and the event says `erased: true`, plaintext ones of version 1
 * too. Sealed values with no key at all (`undefined`) throw
 * MissingKeyError: that is a lost key, never taken for an erasure. In
 * version 1 a value that looks sealed but does not open with the key is
 * plaintext that happens to start like one, and is given as it is.
 */
export function openEvent<E extends Sealable & { customerId?: string }>(
  event: E,
  cipher: FieldCipher | null | undefined,
): E & { erased?: true } {
  const missing = () => new MissingKeyError(event.customerId ?? '?', event.id);
  const marked = isSealedFormat(event.metadata);
  let personal = false;
  const data = mapPersonalFields(event.data, (value, field) => {
    // A client never sends a personal field as null: in version 2 a null is an erased value.
    if (value === null && marked) personal = true;
    if (value === null || value === undefined) return value;
    personal = true;
    if (cipher === null) return null;
    if (!isSealed(value)) {
      if (marked) throw new FieldIntegrityError(field); // version 2 holds no plaintext
      return value;
    }
    if (cipher === undefined) throw missing();
    return marked ? cipher.open(value, event.id, field) : openOrAsIs(cipher, value, event.id, field);
  });
  let metadata = event.metadata ?? null;
  if (marked) {
    const sealedMetadata = metadata?.[SEALED_METADATA_KEY];
    metadata = null;
    if (sealedMetadata !== undefined) {
      personal = true;
      if (cipher === undefined) throw missing();
      if (cipher !== null)
        metadata = cipher.open(sealedMetadata as string, event.id, METADATA_FIELD) as Record<string, unknown>;
    }
  } else if (metadata !== null && Object.keys(metadata).length > 0) {
    personal = true;
    const sealedMetadata = metadata[SEALED_METADATA_KEY];
    if (cipher === null) metadata = null;
    else if (isSealed(sealedMetadata) && Object.keys(metadata).length === 1) {
      if (cipher === undefined) throw missing();
      metadata = cipher.open(sealedMetadata, event.id, METADATA_FIELD) as Record<string, unknown>;
    }
  }
  const opened = { ...event, data, metadata };
  return cipher === null && personal ? { ...opened, erased: true } : opened;
}

/** A version-1 value that looks sealed: opened when it does with this key, else plaintext as it is. */
function openOrAsIs(cipher: FieldCipher, value: string, eventId: string, field: string): unknown {
  try {
    return cipher.open(value, eventId, field);
  } catch (error) {
    if (error instanceof FieldIntegrityError) return value;
    throw error;
  }
}
