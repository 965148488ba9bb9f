import type { ReplayOptions } from '@crh/event-store';
import type { z } from 'zod';
import { ProblemError, problemTypes } from './problem-details.ts';
import { type ReplayParameter, replayQueryShape } from './replay-query-schema.ts';

const PARAMS = new Set<string>(Object.keys(replayQueryShape));

/** What a client reads when a parameter's value fails its schema; `types` names the unknown ones itself. */
const MESSAGES: Record<Exclude<ReplayParameter, 'types'>, string> = {
  after: 'must be a position as the API returns it (32 hex digits)',
  upTo: 'must be a position as the API returns it (32 hex digits)',
  from: 'must be an RFC 3339 instant with offset',
  to: 'must be an RFC 3339 instant with offset',
  customerId: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -',
  limit: 'must be a whole number of at least 1',
};

/**
 * The replay's query string, checked whole: every problem is reported at
 * once, and an unknown parameter or type is an error rather than a filter
 * silently ignored (a typo must not replay the whole log).
 */
export function replayOptions(query: Record<string, unknown>): ReplayOptions {
  const errors: { parameter: string; message: string }[] = [];
  for (const name of Object.keys(query)) {
    if (!PARAMS.has(name))
      errors.push({ parameter: name, message: `unknown parameter (known: ${[...PARAMS].join(', ')})` });
  }
  const parameter = <T>(name: ReplayParameter, schema: z.ZodType<T, string>): T | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push({ parameter: name, message: 'must be given once' });
      return undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const message = name === 'types' ? parsed.error.issues[0]!.message : MESSAGES[name];
    errors.push({ parameter: name, message });
    return undefined;
  };
  const options: ReplayOptions = {
    after: parameter('after', replayQueryShape.after),
    upTo: parameter('upTo', replayQueryShape.upTo),
  };
  options.from = parameter('from', replayQueryShape.from);
  options.to = parameter('to', replayQueryShape.to);
  const types = parameter('types', replayQueryShape.types);
  if (types !== undefined) options.types = types;
  const customerId = parameter('customerId', replayQueryShape.customerId);
  if (customerId !== undefined) options.customerId = customerId;
  const limit = parameter('limit', replayQueryShape.limit);
  if (limit !== undefined) options.limit = limit;
  if (options.from && options.to && options.from > options.to) {
    errors.push({ parameter: 'to', message: 'must not be before from' });
  }
  if (errors.length > 0) {
    throw new ProblemError({
      type: problemTypes.validation,
      title: 'Invalid replay parameters',
      status: 400,
      detail: `${errors.length} problem(s) found`,
      errors,
    });
  }
  return options;
}
