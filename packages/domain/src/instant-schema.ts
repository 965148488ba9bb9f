import { z } from 'zod';
import { RFC3339 } from './rfc3339.ts';

/**
 * An instant as a client sends it. Only described here: the calendar check
 * (no 30 February, years 0001-9999) is normaliseRfc3339's, which neither a
 * pattern nor JSON Schema's `date-time` can say whole.
 */
export const SENT_INSTANT_META = {
  format: 'date-time',
  pattern: RFC3339.source,
  description:
    'RFC 3339 date-time with an offset (Z or ±hh:mm) on a real calendar date, years 0001-9999, e.g. 2026-03-01T10:15:00+01:00.',
};

export const sentInstantSchema = z.string().meta({ id: 'Rfc3339Instant', ...SENT_INSTANT_META });

/** What `toISOString()` prints: every instant the platform keeps is in this form. */
export const NORMAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An instant as the platform keeps it. The pattern is described, not
 * checked: what normaliseRfc3339 returns has it, and the projector parses
 * every stored event.
 */
export const keptInstantSchema = z.string().meta({
  id: 'UtcInstant',
  format: 'date-time',
  pattern: NORMAL_INSTANT.source,
  description: 'An instant as the platform keeps it: UTC with milliseconds, e.g. 2026-03-01T09:15:00.000Z.',
});
