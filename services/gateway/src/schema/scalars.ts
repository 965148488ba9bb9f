import { isLocalDate, normaliseRfc3339 } from '@crh/domain';
import { Kind } from 'graphql';
import { builder } from '../builder.ts';
import { badInput } from '../user-errors.ts';

// Queries look back from a date (90-day windows, 90-day retention): a year
// from 1000 leaves room for that in four-digit years.
const isQueryDate = (value: string) => isLocalDate(value) && value >= '1000-01-01';

export const parseQueryDate = (value: unknown): string => {
  if (typeof value !== 'string' || !isQueryDate(value))
    throw badInput('Date must be a YYYY-MM-DD calendar date from 1000-01-01');
  return value;
};

builder.scalarType('Date', {
  description: "A calendar date (YYYY-MM-DD) in the organisation's time zone",
  serialize: (value) => value,
  parseValue: parseQueryDate,
  parseLiteral: (ast) => parseQueryDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

/**
 * The domain's RFC 3339 rules, not Date.parse, which rolls 2026-02-30 over
 * to 2 March: an impossible date is refused, never read as another one.
 */
export const parseDateTime = (value: unknown): Date => {
  const instant = typeof value === 'string' ? normaliseRfc3339(value) : null;
  if (instant === null) {
    throw badInput(
      'DateTime must be an RFC 3339 timestamp with offset on a real calendar date (years 0001-9999), e.g. 2026-03-01T10:15:00Z',
    );
  }
  return new Date(instant);
};

builder.scalarType('DateTime', {
  description: 'An RFC 3339 timestamp',
  serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
});
