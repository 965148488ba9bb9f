import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FORMAT_KEY,
  isSealedFormat,
  MissingKeyError,
  openEvent,
  SEALED_FORMAT,
  SEALED_METADATA_KEY,
  sealEvent,
} from './event-sealing.ts';
import { ENCRYPTED_PREFIX, FieldCipher, FieldIntegrityError } from './field-cipher.ts';

const EVENT = '7a0b3c1e-2f4d-4e5a-9b6c-1d2e3f4a5b6c';
const OTHER_EVENT = '0c9d8e7f-6a5b-4c3d-8e1f-2a3b4c5d6e7f';

describe('a customer field cipher', () => {
  const cipher = new FieldCipher(randomBytes(32));

  it('seals a value into text that holds none of it, and opens it again', () => {
    const sealed = cipher.seal('Anna de Vries, called about the invoice', EVENT, 'summary');
    expect(sealed.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(sealed).not.toMatch(/Anna|invoice/);
    expect(cipher.open(sealed, EVENT, 'summary')).toBe('Anna de Vries, called about the invoice');
    expect(cipher.open(cipher.seal({ a: [1, 'x'] }, EVENT, '$metadata'), EVENT, '$metadata')).toEqual({
      a: [1, 'x'],
    });
  });

  it('seals the same event field the same way twice (a retried append stays a duplicate) and other values otherwise', () => {
    expect(cipher.seal('same', EVENT, 'summary')).toBe(cipher.seal('same', EVENT, 'summary'));
    expect(cipher.seal('same', EVENT, 'summary')).not.toBe(cipher.seal('same', OTHER_EVENT, 'summary'));
    expect(cipher.seal('same', EVENT, 'summary')).not.toBe(cipher.seal('same', EVENT, 'note'));
    expect(cipher.seal('same', EVENT, 'summary')).not.toBe(cipher.seal('other', EVENT, 'summary'));
  });

  it('refuses a value moved to another event or field, changed by one bit, or sealed with another key', () => {
    const sealed = cipher.seal('secret', EVENT, 'summary');
    expect(() => cipher.open(sealed, OTHER_EVENT, 'summary')).toThrow(FieldIntegrityError);
    expect(() => cipher.open(sealed, EVENT, 'note')).toThrow(FieldIntegrityError);
    const bytes = Buffer.from(sealed.slice(ENCRYPTED_PREFIX.length), 'base64url');
    bytes[14]! ^= 1;
    expect(() => cipher.open(ENCRYPTED_PREFIX + bytes.toString('base64url'), EVENT, 'summary')).toThrow(
      FieldIntegrityError,
    );
    expect(() => new FieldCipher(randomBytes(32)).open(sealed, EVENT, 'summary')).toThrow(
      FieldIntegrityError,
    );
    expect(() => cipher.open(`${ENCRYPTED_PREFIX}AAAA`, EVENT, 'summary')).toThrow(FieldIntegrityError);
  });

  it('takes only 32-byte keys', () => {
    expect(() => new FieldCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('sealing an event', () => {
  const cipher = new FieldCipher(randomBytes(32));
  const event = {
    id: EVENT,
    type: 'ComplaintReceived',
    customerId: 'c-1',
    data: {
      complaintId: 'k-1',
      severity: 'high',
      summary: 'Jan Jansen: the delivery was late',
      channel: 'email',
    },
    metadata: { source: 'crm', operator: 'Piet' },
  };

  it('seals the personal fields and the metadata, and keeps every other field readable', () => {
    const sealed = sealEvent(event, cipher);
    expect(JSON.stringify(sealed)).not.toMatch(/Jan Jansen|Piet|crm/);
    expect(sealed.data).toMatchObject({ complaintId: 'k-1', severity: 'high', channel: 'email' });
    expect(sealed.metadata).toEqual({
      [FORMAT_KEY]: SEALED_FORMAT,
      [SEALED_METADATA_KEY]: expect.any(String),
    });
    expect(openEvent(sealed, cipher)).toEqual(event);
    expect(event.data.summary).toBe('Jan Jansen: the delivery was late'); // the input is not changed
  });

  it('reads the personal fields and metadata as null, and the event as erased, without the key', () => {
    const opened = openEvent(sealEvent(event, cipher), null);
    expect(opened).toEqual({
      ...event,
      data: { complaintId: 'k-1', severity: 'high', summary: null, channel: 'email' },
      metadata: null,
      erased: true,
    });
  });

  it('refuses sealed values whose customer has no key at all (a lost key is not an erasure)', () => {
    expect(() => openEvent(sealEvent(event, cipher), undefined)).toThrow(MissingKeyError);
    expect(openEvent(event, undefined)).toEqual(event); // nothing sealed: nothing to open
  });

  it('gives an event stored before encryption as it is, and one without personal fields the same with or without a key', () => {
    expect(openEvent(event, cipher)).toEqual(event);
    expect(openEvent(event, undefined)).toEqual(event);
    const plain = { id: EVENT, data: { tier: 'gold' }, metadata: null };
    expect(openEvent(plain, null)).toEqual(plain);
  });
});

describe('the stored versions (openEvent is their upcaster)', () => {
  const cipher = new FieldCipher(randomBytes(32));
  const sent = {
    id: EVENT,
    customerId: 'c-1',
    data: { channel: 'call', direction: 'inbound', summary: 'Marieke asked for a call back' },
    metadata: { source: 'crm' },
  };
  // Version 1 as the first sealing release wrote it: values sealed, no mark.
  const unmarked = {
    ...sent,
    data: { ...sent.data, summary: cipher.seal(sent.data.summary, EVENT, 'summary') },
    metadata: { [SEALED_METADATA_KEY]: cipher.seal(sent.metadata, EVENT, '$metadata') },
  };

  it('opens version 1 sealed without the mark, and reads it erased without the key', () => {
    expect(openEvent(unmarked, cipher)).toEqual(sent);
    expect(openEvent(unmarked, null)).toEqual({
      ...sent,
      data: { ...sent.data, summary: null },
      metadata: null,
      erased: true,
    });
    expect(() => openEvent(unmarked, undefined)).toThrow(MissingKeyError);
  });

  it('gives version 1 plaintext that merely starts like a sealed value as it is', () => {
    const lookalike = { ...sent, data: { ...sent.data, summary: `${ENCRYPTED_PREFIX}not-sealed` } };
    expect(openEvent(lookalike, cipher)).toEqual(lookalike);
  });

  it("reads an erased customer's version 1 plaintext as erased", () => {
    expect(openEvent(sent, null)).toEqual({
      ...sent,
      data: { ...sent.data, summary: null },
      metadata: null,
      erased: true,
    });
  });

  it('seals into version 2, which holds nothing in the clear and opens strictly', () => {
    const sealed = sealEvent(sent, cipher);
    expect(isSealedFormat(sealed.metadata)).toBe(true);
    expect(openEvent(sealed, cipher)).toEqual(sent);
    const tampered = { ...sealed, data: { ...sealed.data, summary: `${ENCRYPTED_PREFIX}not-sealed` } };
    expect(() => openEvent(tampered, cipher)).toThrow(FieldIntegrityError);
    const plaintext = { ...sealed, data: sent.data };
    expect(() => openEvent(plaintext, cipher)).toThrow(FieldIntegrityError);
  });

  it("stores an erased customer's personal values as null in version 2, and reads them erased", () => {
    const nulled = sealEvent(sent, null);
    expect(nulled).toEqual({
      ...sent,
      data: { ...sent.data, summary: null },
      metadata: { [FORMAT_KEY]: SEALED_FORMAT },
    });
    expect(openEvent(nulled, null)).toEqual({
      ...sent,
      data: { ...sent.data, summary: null },
      metadata: null,
      erased: true,
    });
  });
});
