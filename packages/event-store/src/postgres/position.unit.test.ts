import { describe, expect, it } from 'vitest';
import { comparePositions } from '../port.ts';
import { decodePosition, encodePosition } from './position.ts';

describe('event store position', () => {
  it('round-trips transaction id and sequence number', () => {
    const encoded = encodePosition('4294967298', '17');
    expect(encoded).toBe('00000001000000020000000000000011');
    expect(decodePosition(encoded)).toEqual({ txId: '4294967298', position: '17' });
  });

  it('orders by transaction id first, then sequence number, as plain strings', () => {
    const ordered = [
      encodePosition(9, 1),
      encodePosition(9, 255),
      encodePosition(10, 2),
      encodePosition(4096, 1),
      encodePosition(2n ** 40n, 0),
    ];
    const shuffled = [...ordered].reverse().sort(comparePositions);
    expect(shuffled).toEqual(ordered);
    expect(ordered.every((p) => p.length === 32)).toBe(true);
  });

  it('rejects anything that is not 32 lower-case hex digits', () => {
    for (const bad of ['', '12', 'G'.repeat(32), 'A'.repeat(32), `${'0'.repeat(32)}0`]) {
      expect(() => decodePosition(bad)).toThrow(RangeError);
    }
  });
});
