import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiSchemas } from '@crh/testing/json-schemas';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contractFiles, paths, REGENERATE, schemaFilesPresent } from './contract-files.ts';

const root = join(import.meta.dirname, '..');
const generated = contractFiles();

const checkedIn = (path: string): string | null =>
  existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : null;

describe('generated contract files (docs/api/openapi.json, docs/schemas/)', () => {
  it.each([...generated.keys()])('%s is what the code generates', (path) => {
    expect(checkedIn(path), `${path} is stale or missing: run \`${REGENERATE}\` and commit the result`).toBe(
      generated.get(path),
    );
  });

  it('leaves no file in docs/schemas that the code no longer generates', () => {
    const strays = schemaFilesPresent(root).filter((path) => !generated.has(path));
    expect(strays, `not generated any more: run \`${REGENERATE}\`, which removes them`).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document whose every $ref resolves', async () => {
    const document = JSON.parse(generated.get(paths.openapi)!);
    expect(document.openapi).toMatch(/^3\.1\./);
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('has schemas that a strict JSON Schema 2020-12 validator compiles', () => {
    const document = JSON.parse(generated.get(paths.openapi)!);
    const names = Object.keys(document.components.schemas);
    expect(names.length).toBeGreaterThan(0);
    const everyOne = { anyOf: names.map((name) => ({ $ref: `#/components/schemas/${name}` })) };
    expect(() => openApiSchemas(document)(everyOne)).not.toThrow();
  });

  describe('under another environment', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('comes out the same: no port, host, topic or date from where it is built', () => {
      vi.stubEnv('INGEST_PORT', '5999');
      vi.stubEnv('HOST', 'example.invalid');
      vi.stubEnv('RELAY_TOPIC', 'other.topic');
      expect(contractFiles()).toEqual(generated);
    });
  });
});
