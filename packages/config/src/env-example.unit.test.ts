import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envSchema } from './env-schema.ts';
import { loadConfig } from './platform-config.ts';

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

  it('gives each variable its default: read as it stands, it configures what no file does', () => {
    const values = parseEnv(example);
    expect(Object.keys(values).length).toBeGreaterThan(20);
    const { env: fromExample, ...derivedFromExample } = loadConfig(values);
    const { env: defaults, ...derivedDefaults } = loadConfig({});
    // Variables in a format of their own have no zod default: compare what they parse to.
    expect(derivedFromExample).toEqual(derivedDefaults);
    expect({ ...defaults, ...fromExample }).toEqual({
      ...defaults,
      CRH_TIER_POLICY: fromExample.CRH_TIER_POLICY,
      CRH_HEALTH_WEIGHTS: fromExample.CRH_HEALTH_WEIGHTS,
      CRH_COMPLAINT_SLA: fromExample.CRH_COMPLAINT_SLA,
    });
  });
});
