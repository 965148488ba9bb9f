import { describe, expect, it } from 'vitest';
import { packPayloads } from './payload-packing.ts';

describe('packPayloads', () => {
  it('keeps every value in order and each payload within the limit', () => {
    const values = Array.from({ length: 500 }, (_, i) => ({ i, text: 'é'.repeat(i % 40) }));
    const payloads = packPayloads(values, 1000);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1000);
    expect(payloads.flatMap((p) => JSON.parse(p))).toEqual(values);
  });

  it('gives no payload for no values', () => {
    expect(packPayloads([], 1000)).toEqual([]);
  });

  it('rejects a value that cannot fit alone, naming its size', () => {
    expect(() => packPayloads([{ big: 'x'.repeat(2000) }], 1000)).toThrow(/2010 bytes exceeds/);
  });
});
