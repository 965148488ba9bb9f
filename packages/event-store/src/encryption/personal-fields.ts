import { PERSONAL_DATA_FIELDS } from '@crh/domain';

// What is personal is the domain's to say (docs/erasure.md); this file finds it in an event.

/** Whether an event's data or metadata carries anything personal (a refused append after erasure needs one). */
export function holdsPersonalData(
  data: unknown,
  metadata: Record<string, unknown> | null | undefined,
): boolean {
  if (metadata && Object.keys(metadata).length > 0) return true;
  let found = false;
  mapPersonalFields(data, (value) => {
    if (value !== null && value !== undefined) found = true;
    return value;
  });
  return found;
}

/**
 * A copy of `data` with each personal field's value replaced by what `f`
 * makes of it (its field name given). Personal fields sit at the top level
 * of every event type's data (the catalogue's shapes are flat); anything
 * that is not an object is kept as it is. The input is not changed.
 */
export function mapPersonalFields(data: unknown, f: (value: unknown, field: string) => unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data))
    out[key] = PERSONAL_DATA_FIELDS.has(key) ? f(value, key) : value;
  return out;
}
