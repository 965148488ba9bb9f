import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// CommonJS with `exports.default`: to TypeScript's NodeNext the default import is the module.
const addFormats = addFormatsModule.default;

/** A strict JSON Schema 2020-12 validator that also checks `format` (uuid, date-time), as a consumer would use. */
export function jsonSchemaValidator(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv;
}

interface OpenApiDocument {
  components?: { schemas?: Record<string, unknown> };
}

/**
 * Compiles schemas of an OpenAPI 3.1 document with a strict JSON Schema
 * validator: its components become `$defs`, its `discriminator` (an OpenAPI
 * annotation) is left to the `oneOf` it annotates.
 */
export function openApiSchemas(document: OpenApiDocument): (schema: unknown) => ValidateFunction {
  const ajv = jsonSchemaValidator();
  ajv.addKeyword({ keyword: 'discriminator' });
  const asDefs = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/'));
  const $defs = asDefs(document.components?.schemas ?? {});
  return (schema) => ajv.compile({ ...(asDefs(schema) as object), $defs });
}
