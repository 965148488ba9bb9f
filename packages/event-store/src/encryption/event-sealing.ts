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

/**
 * The event as it was sent, from what is stored: sealed values opened with
 * the customer's key. Without a key (`null`: the customer's data was erased)
 * every personal field and the metadata read null and the event says
 * `erased: true`. Values that are not sealed (events stored before
 * encryption) are given as they are.
 */
export function openEvent<E extends Sealable>(event: E, cipher: FieldCipher | null): E & { erased?: true } {
  let sealedAny = false;
  const data = mapPersonalFields(event.data, (value, field) => {
    if (!isSealed(value)) return value;
    sealedAny = true;
    return cipher === null ? null : cipher.open(value, event.id, field);
  });
  let metadata = event.metadata;
  const sealedMetadata = metadata?.[SEALED_METADATA_KEY];
  if (isSealed(sealedMetadata) && Object.keys(metadata!).length === 1) {
    sealedAny = true;
    metadata =
      cipher === null
        ? null
        : (cipher.open(sealedMetadata, event.id, METADATA_FIELD) as Record<string, unknown>);
  }
  const opened = { ...event, data, metadata };
  return cipher === null && sealedAny ? { ...opened, erased: true } : opened;
}
