import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readModelMigrations } from './migrations.ts';

// A migration runs once per database: one changed after its release would
// leave every database that applied it with the old schema, silently. So
// each released migration's SQL is pinned here (comments and spacing aside).
// Migration 004 builds its SQL from domain rules: a change of those rules
// fails here too, and belongs in a new migration (and a new
// READ_MODEL_VERSION, so the rows are derived again); keep 004 as released.
const RELEASED: Record<string, string> = {
  '001_relationships': '07a003cc5bf3856e',
  '002_relationship_intervals': '0a7d241df173edd7',
  '003_signals_and_daily_kpis': '15c6ab193dbf8c96',
  '004_interval_levels_from_domain_rules': '8107bac5d630e211',
};

const fingerprint = (sql: string) =>
  createHash('sha256')
    .update(
      sql
        .replace(/--[^\n]*/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .digest('hex')
    .slice(0, 16);

describe('read-model migrations', () => {
  it('never change once released: a change is a new migration', () => {
    const released = readModelMigrations.filter((m) => Object.hasOwn(RELEASED, m.name));
    expect(released.map((m) => m.name)).toEqual(Object.keys(RELEASED));
    for (const m of released) expect(fingerprint(m.sql), m.name).toBe(RELEASED[m.name]);
  });

  it('keep the released ones first, in their order', () => {
    const names = readModelMigrations.map((m) => m.name);
    expect(names.slice(0, Object.keys(RELEASED).length)).toEqual(Object.keys(RELEASED));
  });
});
