import { isLocalDate } from '@crh/domain';
import { Kind } from 'graphql';
import { builder } from '../builder.ts';
import { badInput } from '../user-errors.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

// Queries look back from a date (90-day windows, 90-day retention): a year
// from 1000 leaves room for that in four-digit years.
const isQueryDate = (value: string) => isLocalDate(value) && value >= '1000-01-01';

builder.scalarType('Date', {
  description: "A calendar date (YYYY-MM-DD) in the organisation's time zone",
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || !isQueryDate(value))
      throw badInput('Date must be a YYYY-MM-DD calendar date from 1000-01-01');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !isQueryDate(ast.value)) {
      throw badInput('Date must be a YYYY-MM-DD calendar date from 1000-01-01');
    }
    return ast.value;
  },
});

const parseDateTime = (value: unknown): Date => {
  if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput('DateTime must be an RFC 3339 timestamp with offset');
  }
  return new Date(value);
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
