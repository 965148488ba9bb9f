import { z } from 'zod';

export interface JsonSchemaDocumentOptions {
  /** The schema's `$id`, e.g. `urn:crh:schema:envelope`. */
  id: string;
  title: string;
  /** Defaults to the schema's own description. */
  description?: string;
  /** `input`: what a client sends (defaults unfilled, instants as sent); `output`: what the platform keeps. */
  io: 'input' | 'output';
}

type Rendered = Record<string, unknown> & { $ref?: string; $defs?: Record<string, Record<string, unknown>> };

/**
 * A zod schema as a self-contained JSON Schema (draft 2020-12) document:
 * named parts (`.meta({ id })`) under `$defs`, sorted so a reader finds them.
 * Throws on anything JSON Schema cannot say rather than writing `{}`.
 */
export function jsonSchemaDocument(
  schema: z.ZodType,
  options: JsonSchemaDocumentOptions,
): Record<string, unknown> {
  const rendered = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: options.io,
    unrepresentable: 'throw',
  }) as Rendered;
  const { $schema, $defs = {}, description: own, ...body } = unwrapRoot(rendered);
  const description = options.description ?? own;
  return {
    $schema,
    $id: options.id,
    title: options.title,
    ...(description === undefined ? {} : { description }),
    ...body,
    ...(Object.keys($defs).length === 0 ? {} : { $defs: sortedByKey($defs) }),
  };
}

/** A named root renders as `{ $ref: '#/$defs/Name' }`: put the definition itself at the root instead. */
function unwrapRoot(rendered: Rendered): Rendered {
  const { $ref, $defs, ...rest } = rendered;
  const name = $ref?.match(/^#\/\$defs\/([^/]+)$/)?.[1];
  const root = name === undefined ? undefined : $defs?.[name];
  if (name === undefined || root === undefined) return rendered;
  const others = Object.fromEntries(Object.entries($defs ?? {}).filter(([key]) => key !== name));
  // Only when nothing else refers to it (no recursion through the root).
  if (JSON.stringify(others).includes(JSON.stringify($ref))) return rendered;
  return { ...rest, ...root, $defs: others };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
