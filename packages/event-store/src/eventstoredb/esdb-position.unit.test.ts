import { describe, expect, it } from 'vitest';
import { decodeEsdbPosition, encodeEsdbPosition } from './esdb-position.ts';

describe('EventStoreDB positions as opaque strings', () => {
  it('encodes commit then prepare as 16 lower-case hex digits each', () => {
    expect(encodeEsdbPosition({ commit: 0n, prepare: 0n })).toBe('0'.repeat(32));
    expect(encodeEsdbPosition({ commit: 4_711n, prepare: 4_711n })).toBe(
      '0000000000001267' + '0000000000001267',
    );
    expect(encodeEsdbPosition({ commit: (1n << 64n) - 1n, prepare: 255n })).toBe(
      'ffffffffffffffff' + '00000000000000ff',
    );
  });

  it('decodes what it encodes', () => {
    for (const position of [
      { commit: 0n, prepare: 0n },
      { commit: 123_456_789n, prepare: 123_456_700n },
      { commit: (1n << 63n) + 5n, prepare: 1n << 40n },
    ]) {
      expect(decodeEsdbPosition(encodeEsdbPosition(position))).toEqual(position);
    }
  });

  it('orders as strings exactly as (commit, prepare) orders', () => {
    const positions = [
      { commit: 10n, prepare: 10n },
      { commit: 9n, prepare: 9n },
      { commit: 10n, prepare: 2n },
      { commit: 0x100n, prepare: 0n },
      { commit: 0xfn, prepare: 0xffffn },
      { commit: 1n << 40n, prepare: 1n << 40n },
    ];
    const byLog = [...positions].sort((a, b) =>
      a.commit !== b.commit
        ? a.commit < b.commit
          ? -1
          : 1
        : a.prepare < b.prepare
          ? -1
          : a.prepare > b.prepare
            ? 1
            : 0,
    );
    const byString = [...positions].sort((a, b) => {
      const [x, y] = [encodeEsdbPosition(a), encodeEsdbPosition(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    expect(byString).toEqual(byLog);
  });

  it('rejects what is not a position, and values outside 64 bits', () => {
    for (const bad of ['', 'abc', 'G'.repeat(32), 'A'.repeat(32), '0'.repeat(31), '0'.repeat(33)]) {
      expect(() => decodeEsdbPosition(bad)).toThrow(RangeError);
    }
    expect(() => encodeEsdbPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodeEsdbPosition({ commit: 0n, prepare: 1n << 64n })).toThrow(RangeError);
  });
});
