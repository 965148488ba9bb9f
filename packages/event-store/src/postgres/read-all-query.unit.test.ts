import { describe, expect, it } from 'vitest';
import { encodePosition } from './position.ts';
import { readAllQuery } from './read-all-query.ts';

describe('readAll query', () => {
  it('always reads below the oldest running transaction, in (tx_id, position) order', () => {
    const query = readAllQuery({ limit: 10 });
    expect(query.text).toContain('tx_id < pg_snapshot_xmin(pg_current_snapshot())');
    expect(query.text).toMatch(/order by tx_id, position limit \$1::integer$/);
    expect(query.values).toEqual([10]);
  });

  it('resumes after a position with a row comparison and adds only the filters given', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const query = readAllQuery({
      after: encodePosition(700, 42),
      limit: 5,
      types: ['A', 'B'],
      customerId: 'c-1',
      from,
    });
    expect(query.text).toContain('(tx_id, position) > ($1::xid8, $2::bigint)');
    expect(query.text).toContain('type = any($3::text[])');
    expect(query.text).toContain('stream_id = $4::text');
    expect(query.text).toContain('occurred_at >= $5::timestamptz');
    expect(query.text).not.toContain('occurred_at <=');
    expect(query.values).toEqual(['700', '42', ['A', 'B'], 'customer-c-1', from, 5]);
  });

  it('treats an empty type list as no type filter', () => {
    expect(readAllQuery({ limit: 1, types: [] }).text).not.toContain('type = any');
  });
});
