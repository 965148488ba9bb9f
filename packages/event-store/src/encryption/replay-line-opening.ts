import { PERSONAL_FIELD_NAMES } from '@crh/domain';
import type { RecordedEvent } from '../port.ts';
import { toEnvelope } from '../stored-envelope.ts';
import { MissingKeyError, openEvent } from './event-sealing.ts';
import type { FieldCipher } from './field-cipher.ts';
import { ENCRYPTED_PREFIX } from './field-cipher.ts';

type Cipher = FieldCipher | null | undefined;

/** What a replay line of the stored format 2 holds (with or without jsonb's spaces). */
const FORMAT_2 = /,"metadata":\{"\$crh": ?"sealed-v1"(?:, ?"\$sealed": ?"(enc:v1:[A-Za-z0-9_-]+)")?\}/;
const SEALED_FIELD = new RegExp(
  `"(${PERSONAL_FIELD_NAMES.join('|')})": ?(?:"(enc:v1:[A-Za-z0-9_-]+)"|null)`,
  'g',
);
const CUSTOMER = /"customerId":"([A-Za-z0-9._:-]+)"/;
const LINE_START = '{"id":"';

/** Whether a replay line may hold something to open: a sealed value, or the stored format's mark. */
export const mayBeSealed = (line: string): boolean =>
  line.includes(ENCRYPTED_PREFIX) || line.includes('"$crh"');

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
  return (line.startsWith(LINE_START) && openInPlace(line, cipher)) || openParsed(line, cipher);
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
  const withMetadata = opened.replace(FORMAT_2, metadata);
  return cipher === null && personal ? `${withMetadata.slice(0, -1)},"erased":true}` : withMetadata;
}

function openParsed(line: string, cipher: Cipher): string {
  const envelope = JSON.parse(line) as RecordedEvent;
  const event = { ...envelope, actorId: envelope.actorId ?? null, metadata: envelope.metadata ?? null };
  return JSON.stringify(toEnvelope(openEvent(event, cipher)));
}
