import { EVENT_TYPES, normaliseRfc3339 } from '@crh/domain';
import type { ReplayOptions } from '@crh/event-store';
import { ProblemError, problemTypes } from './problem-details.ts';

const POSITION = /^[0-9a-f]{32}$/;
const CUSTOMER_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
const PARAMS = new Set(['after', 'upTo', 'from', 'to', 'types', 'customerId', 'limit']);

/**
 * The replay's query string, checked whole: every problem is reported at
 * once, and an unknown parameter or type is an error rather than a filter
 * silently ignored (a typo must not replay the whole log).
 */
export function replayOptions(query: Record<string, unknown>): ReplayOptions {
  const errors: { parameter: string; message: string }[] = [];
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push({ parameter: name, message: 'must be given once' });
      return undefined;
    }
    return value;
  };
  for (const name of Object.keys(query)) {
    if (!PARAMS.has(name))
      errors.push({ parameter: name, message: `unknown parameter (known: ${[...PARAMS].join(', ')})` });
  }
  const position = (name: string) => {
    const value = text(name);
    // Each half is a signed 64-bit number in the store: 16 hex digits from 0 to 7fff….
    if (value !== undefined && (!POSITION.test(value) || value[0]! > '7' || value[16]! > '7')) {
      errors.push({ parameter: name, message: 'must be a position as the API returns it (32 hex digits)' });
    }
    return value;
  };
  const instant = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    const normal = normaliseRfc3339(value);
    if (normal === null) errors.push({ parameter: name, message: 'must be an RFC 3339 instant with offset' });
    return normal === null ? undefined : new Date(normal);
  };
  const options: ReplayOptions = { after: position('after'), upTo: position('upTo') };
  options.from = instant('from');
  options.to = instant('to');
  const types = text('types');
  if (types !== undefined) {
    options.types = types
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const unknown = options.types.filter((t) => !KNOWN_TYPES.has(t));
    if (unknown.length > 0)
      errors.push({ parameter: 'types', message: `unknown event type(s): ${unknown.join(', ')}` });
  }
  const customerId = text('customerId');
  if (customerId !== undefined) {
    if (CUSTOMER_ID.test(customerId)) options.customerId = customerId;
    else errors.push({ parameter: 'customerId', message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' });
  }
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (/^[1-9][0-9]*$/.test(limit) && Number.isSafeInteger(n)) options.limit = n;
    else errors.push({ parameter: 'limit', message: 'must be a whole number of at least 1' });
  }
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
