import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { envSchema } from './env-schema.ts';

const file = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../.env.example'), 'utf8');
// Below this line: what docker compose reads (test/compose checks that part).
const example = file.split('# --- docker compose ---')[0]!;

describe('.env.example', () => {
  it('lists every variable the configuration reads, and no other', () => {
    // `NAME=value` lines, set or commented out (optional variables without a default).
    const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(new Set(listed).size, 'a variable listed twice').toBe(listed.length);
    expect(listed.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('gives each variable its default', () => {
    const parsed = envSchema.parse({});
    for (const [, name, value] of example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
      const fallback = parsed[name as keyof typeof parsed];
      if (fallback === undefined) continue; // an optional variable shown with an example value
      expect(String(Array.isArray(fallback) ? fallback.join(',') : fallback), name).toBe(value);
    }
  });
});
