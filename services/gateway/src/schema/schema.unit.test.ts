import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from './index.ts';

// schema.graphql is checked in so that every API change shows in review.
// After an intended change: npm run schema:print -w @crh/gateway
describe('GraphQL schema', () => {
  it('matches the checked-in schema.graphql', () => {
    const checkedIn = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(printedSchema()).toBe(checkedIn);
  });

  it('keeps the core names clients depend on (docs/api/graphql/README.md)', () => {
    const sdl = printedSchema();
    for (const name of [
      'scalar Date',
      'scalar DateTime',
      'enum RelationshipStatus',
      'type Relationship',
      'type EventConnection',
    ]) {
      expect(sdl).toContain(name);
    }
    expect(sdl).toMatch(/relationship\(asOf: Date, customerId: ID!\): Relationship/);
  });
});
