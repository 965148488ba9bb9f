import { describe, expect, it } from 'vitest';
import { canonicalJson, envelopeContent } from './canonical-json.ts';
import { parseRecordedEvent, validateEventBatch } from './envelope-validation.ts';
import { MAX_JSON_DEPTH, unstorableJson } from './storable-json.ts';

const envelope = (overrides: Record<string, unknown> = {}) => ({
  id: '6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00',
  type: 'ContactLogged',
  customerId: 'cust-0042',
  occurredAt: '2026-03-01T10:15:00Z',
  data: { channel: 'call', direction: 'outbound' },
  ...overrides,
});

const issuesOf = (...events: unknown[]) => {
  const result = validateEventBatch({ events });
  if (result.ok) throw new Error('expected the batch to be rejected');
  return result.issues;
};

describe('text and numbers the store cannot keep', () => {
  it.each([
    ['actorId', { actorId: 'am\u00007' }, 'actorId', 'NUL'],
    ['actorId', { actorId: 'am\ud8007' }, 'actorId', 'unpaired surrogate (U+D800) at offset 2'],
    [
      'data',
      { data: { channel: 'call', direction: 'outbound', summary: 'a\u0000b' } },
      'data.summary',
      'NUL character (U+0000) at offset 1',
    ],
    [
      'data',
      { data: { channel: 'call', direction: 'outbound', summary: 'x\udc00' } },
      'data.summary',
      'unpaired surrogate (U+DC00)',
    ],
    ['metadata value', { metadata: { deep: [{ v: '\u0000' }] } }, 'metadata.deep.0.v', 'NUL'],
    ['metadata key', { metadata: { 'k\u0000': 1 } }, 'metadata["k\\u0000"]', 'the key of'],
    ['metadata key', { metadata: { ok: { '\ud800': 1 } } }, 'metadata.ok["\\ud800"]', 'unpaired'],
    ['type', { type: 'Contact\u0000Logged' }, 'type', 'NUL'],
    ['customerId', { customerId: 'c\u0000' }, 'customerId', 'NUL'],
    ['an unknown field', { 'x\u0000': 1 }, '["x\\u0000"]', 'the key of'],
    ['metadata number', { metadata: { n: Number.POSITIVE_INFINITY } }, 'metadata.n', 'too large'],
    ['metadata integer', { metadata: { n: 2 ** 60 } }, 'metadata.n', 'send it as a string'],
  ])('refuses %s, naming the path', (_what, overrides, path, words) => {
    const issues = issuesOf(envelope(overrides));
    expect(issues).toContainEqual({ index: 0, path, message: expect.stringContaining(words) });
    // One issue per place: the text's own, not also the field rule's.
    expect(issues.filter((issue) => issue.path === path)).toHaveLength(1);
  });

  it('keeps paired surrogates (emoji) and other control characters', () => {
    const result = validateEventBatch({
      events: [envelope({ actorId: 'am-😀', metadata: { tab: 'a\tb\u0001', big: 9007199254740991 } })],
    });
    expect(result.ok).toBe(true);
  });

  it('still reads back stored events that a later rule would refuse (no parking by a new rule)', () => {
    const stored = { ...envelope(), actorId: null, metadata: { n: 2 ** 60 } };
    expect(parseRecordedEvent(stored)).toMatchObject({ ok: true });
    expect(validateEventBatch({ events: [envelope({ metadata: { n: 2 ** 60 } })] }).ok).toBe(false);
  });

  it('refuses nesting beyond the limit without exhausting the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const issues = unstorableJson({ deep }, '');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

describe('one id, one event, within a batch', () => {
  it('counts identical copies once (the store answers them as duplicates)', () => {
    const copy = envelope({
      occurredAt: '2026-03-01T11:15:00+01:00',
      data: { direction: 'outbound', channel: 'call' },
    });
    const result = validateEventBatch({ events: [envelope(), copy] });
    expect(result.ok).toBe(true);
  });

  it('refuses different content under one id, naming the id and both places', () => {
    const other = envelope({
      id: '6F1C2A0E-4B7E-4F8E-9A51-0C2B4D1E9F00',
      data: { channel: 'email', direction: 'outbound' },
    });
    expect(issuesOf(envelope(), envelope({ id: '0f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00' }), other)).toEqual([
      {
        index: 2,
        path: 'id',
        message:
          'id 6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00 is also at index 0 with different content; one id stands for one event.',
      },
    ]);
  });

  it('compares content structurally: key order never matters, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    const base = { type: 'T', customerId: 'c', occurredAt: '2026-03-01T10:15:00.000Z', data: {} };
    expect(envelopeContent(base)).toBe(envelopeContent({ ...base, occurredAt: '2026-03-01T11:15:00+01:00' }));
    expect(envelopeContent(base)).not.toBe(envelopeContent({ ...base, actorId: 'a' }));
    expect(envelopeContent(base)).not.toBe(envelopeContent({ ...base, metadata: {} }));
  });
});
