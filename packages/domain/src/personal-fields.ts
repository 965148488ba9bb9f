/**
 * What is personal in an event (docs/erasure.md): these fields of `data`,
 * and all of `metadata`. Everything else (ids, types, instants, tiers,
 * channels, scores, severities, kinds, amounts) is not, and stays readable
 * after an erasure, so every count, status and KPI is the same before and
 * after one. The event store seals these; the rules read them as `null`
 * once the customer's key is gone.
 */
export const PERSONAL_FIELD_NAMES = [
  'name',
  'summary',
  'message',
  'resolution',
  'reason',
  'note',
  'improvement',
  'about',
  'comment',
  'description',
] as const;
export type PersonalField = (typeof PERSONAL_FIELD_NAMES)[number];

export const PERSONAL_DATA_FIELDS: ReadonlySet<string> = new Set(PERSONAL_FIELD_NAMES);

/** A data shape as it is read back: each personal field may be null (erased). */
export type Erasable<D> = { [K in keyof D]: K extends PersonalField ? D[K] | null : D[K] };
