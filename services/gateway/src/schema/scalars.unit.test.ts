import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseDateTime, parseQueryDate } from './scalars.ts';

const refusal = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return { code: (error as GraphQLError).extensions.code, message: (error as GraphQLError).message };
  }
  throw new Error('expected a refusal');
};

describe('DateTime', () => {
  it.each([
    '2026-02-30T00:00:00Z',
    '2025-02-29T12:00:00Z',
    '2026-04-31T00:00:00+02:00',
    '2026-13-01T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T10:60:00Z',
    '2026-03-01T10:15:00',
    '2026-03-01',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:00:00-02:00',
    '',
  ])('refuses %s with BAD_USER_INPUT', (text) => {
    expect(refusal(() => parseDateTime(text))).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('real calendar date'),
    });
  });

  it('refuses what is not a string', () => {
    expect(refusal(() => parseDateTime(1772360100)).code).toBe('BAD_USER_INPUT');
  });

  it('reads real instants in any offset as the same instant', () => {
    expect(parseDateTime('2024-02-29T23:30:00-01:00').toISOString()).toBe('2024-03-01T00:30:00.000Z');
    expect(parseDateTime('2026-03-01T10:15:00.5Z').toISOString()).toBe('2026-03-01T10:15:00.500Z');
  });
});

describe('Date', () => {
  it.each(['2026-02-30', '2025-02-29', '2026-00-10', '0999-12-31', '2026-3-1', '2026-03-01T00:00:00Z'])(
    'refuses %s with BAD_USER_INPUT',
    (text) => {
      expect(refusal(() => parseQueryDate(text)).code).toBe('BAD_USER_INPUT');
    },
  );

  it('accepts real calendar dates', () => {
    expect(parseQueryDate('2024-02-29')).toBe('2024-02-29');
  });
});
