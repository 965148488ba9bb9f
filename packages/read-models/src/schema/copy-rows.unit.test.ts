import { describe, expect, it } from 'vitest';
import { copyLine } from './copy-rows.ts';

describe('copyLine (COPY text format)', () => {
  it('joins plain values with tabs, nulls as \\N, numbers as written', () => {
    expect(copyLine(['cust-1', null, 3.5, 0, '2026-03-01'])).toBe('cust-1\t\\N\t3.5\t0\t2026-03-01\n');
  });

  it.each([
    ['a tab', 'x\ty', 'x\\ty'],
    ['a newline', 'x\ny', 'x\\ny'],
    ['a carriage return', 'x\ry', 'x\\ry'],
    ['a backslash', 'x\\y', 'x\\\\y'],
  ])('escapes %s in any value of the row', (_, value, escaped) => {
    expect(copyLine(['plain', value, null])).toBe(`plain\t${escaped}\t\\N\n`);
    expect(copyLine([value, 'plain'])).toBe(`${escaped}\tplain\n`);
  });

  it('writes arrays as quoted literals, escaped for COPY', () => {
    expect(copyLine([['2026-03-01T10:00:00.000Z', 'b']])).toBe('{"2026-03-01T10:00:00.000Z","b"}\n');
    expect(copyLine([['say "hi"', 'back\\slash'], 'x'])).toBe(
      '{"say \\\\"hi\\\\"","back\\\\\\\\slash"}\tx\n',
    );
    expect(copyLine([[]])).toBe('{}\n');
  });
});
