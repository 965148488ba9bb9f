import { PERSONAL_FIELD_NAMES } from '@crh/domain';
import type { RecordedEvent } from '../port.ts';
import { toEnvelope } from '../stored-envelope.ts';
import { MissingKeyError, openEvent } from './event-sealing.ts';
import type { FieldCipher } from './field-cipher.ts';
import { ENCRYPTED_PREFIX } from './field-cipher.ts';

type Cipher = FieldCipher | null | undefined;

/**
 * What a replay line of the stored format 2 holds (with or without jsonb's
 * spaces), where toEnvelope prints the metadata: right before recordedAt, so
 * a client's own metadata of format 1 that merely looks like it never matches.
 */
const FORMAT_2 =
  /,"metadata":\{"\$crh": ?"sealed-v1"(?:, ?"\$sealed": ?"(enc:v1:[A-Za-z0-9_-]+)")?\}(?=,"recordedAt":)/;
const PERSONAL_NAMES = PERSONAL_FIELD_NAMES.join('|');
const SEALED_FIELD = new RegExp(`"(${PERSONAL_NAMES})": ?(?:"(enc:v1:[A-Za-z0-9_-]+)"|null)`, 'g');
const CUSTOMER = /"customerId":"([A-Za-z0-9._:-]+)"/;
const LINE_START = '{"id":"';

/**
 * What makes a replay line hold personal data (what its customer's key
 * decides about): a sealed value, the sealed format's mark, a personal
 * value in plaintext (format 1: nulled when its customer was erased), or
 * metadata.
 */
const PERSONAL_LINE = new RegExp(`${ENCRYPTED_PREFIX}|"\\$crh"|"(?:${PERSONAL_NAMES})": ?"|,"metadata":`);

/**
 * What makes a replay chunk more than passed on: personal data, or an
 * erasure. One scan (measured: half the time of one includes per pattern).
 */
export const ANYTHING_TO_OPEN = new RegExp(`${PERSONAL_LINE.source}|CustomerDataErased`);

/** Whether a replay line holds personal data, sealed or in plaintext (what its customer's key decides about). */
export const holdsPersonalLine = (line: string): boolean => PERSONAL_LINE.test(line);

/** The customer of a replay line, read without parsing it. */
export function customerOfLine(line: string): string {
  const customer = CUSTOMER.exec(line)?.[1];
  return customer ?? (JSON.parse(line) as RecordedEvent).customerId;
}

/**
 * One replay line with its sealed values opened, as toEnvelope would print
 * the opened event (erased fields null, metadata left out, `erased` last).
 * A line of the stored format 2, as both adapters print it, is opened in
 * place: only the sealed values are replaced, the line is never parsed
 * (measured: parsing and printing it again cost as much as opening its
 * values). Any other line (format 1) goes through openEvent whole.
 */
export function openReplayLine(line: string, cipher: Cipher): string {
  const format2 = line.startsWith(LINE_START) && openInPlace(line, cipher);
  if (format2) return format2;
  // Format 1 in plaintext is given as it is, unless its customer was erased.
  if (cipher !== null && !line.includes(ENCRYPTED_PREFIX)) return line;
  return openParsed(line, cipher);
}

function openInPlace(line: string, cipher: Cipher): string | null {
  const format = FORMAT_2.exec(line);
  if (!format) return null;
  const id = line.slice(LINE_START.length, LINE_START.length + 36);
  let personal = false;
  const opened = line.replace(SEALED_FIELD, (_match, field: string, sealed: string | undefined) => {
    personal = true; // a null personal value of format 2 is an erased one
    if (sealed === undefined || cipher === null) return `"${field}":null`;
    if (cipher === undefined) throw new MissingKeyError(customerOfLine(line), id);
    return `"${field}":${JSON.stringify(cipher.open(sealed, id, field))}`;
  });
  const sealedMetadata = format[1];
  let metadata = '';
  if (sealedMetadata !== undefined) {
    personal = true;
    if (cipher === undefined) throw new MissingKeyError(customerOfLine(line), id);
    if (cipher !== null)
      metadata = `,"metadata":${JSON.stringify(cipher.open(sealedMetadata, id, '$metadata'))}`;
  }
  // A function, not the string: `$&`, `$'` in a client's metadata are no patterns.
  const withMetadata = opened.replace(FORMAT_2, () => metadata);
  return cipher === null && personal ? `${withMetadata.slice(0, -1)},"erased":true}` : withMetadata;
}

function openParsed(line: string, cipher: Cipher): string {
  const envelope = JSON.parse(line) as RecordedEvent;
  const event = { ...envelope, actorId: envelope.actorId ?? null, metadata: envelope.metadata ?? null };
  return JSON.stringify(toEnvelope(openEvent(event, cipher)));
}
