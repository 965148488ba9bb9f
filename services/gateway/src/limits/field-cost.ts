import type { FieldComplexityValue } from '@pothos/plugin-complexity';
import { type GraphQLField, getNamedType, getNullableType, isListType } from 'graphql';

/** What a list without `first` is taken to hold (a health score's factors, a status history). */
export const DEFAULT_LIST_SIZE = 10;

/**
 * Lists without `first` that are as long as a book can be, not a handful:
 * `neglectedRelationships` is every neglected relationship of a day.
 */
export const UNPAGED_LIST_SIZES: Readonly<Record<string, number>> = {
  neglectedRelationships: 100,
};

/**
 * The cost of one field, for @pothos/plugin-complexity: 1 for the field,
 * and what is selected under it multiplied by how many items it can give.
 * A field with `first` (connections, `todaysCalls`, `fans`, `outliers`)
 * gives `first` items: the value asked for, or the argument's default when
 * it is omitted (the plugin reads arguments as execution will, defaults and
 * variables included). A connection's `edges` list is not multiplied again.
 * So `relationships(first: 500) { edges { node { timeline(first: 500) {
 * edges { node { id } } } } } }` costs about 500 x 500 x 3.
 */
export function fieldCost<Context>(
  args: Record<string, unknown>,
  _context: Context,
  field: GraphQLField<unknown, Context, Record<string, unknown>>,
): FieldComplexityValue {
  if (typeof args.first === 'number') return { field: 1, multiplier: Math.max(0, args.first) };
  const type = getNullableType(field.type);
  if (!isListType(type)) return 1;
  if (getNamedType(type).name.endsWith('Edge')) return { field: 1, multiplier: 1 };
  return { field: 1, multiplier: UNPAGED_LIST_SIZES[field.name] ?? DEFAULT_LIST_SIZE };
}
