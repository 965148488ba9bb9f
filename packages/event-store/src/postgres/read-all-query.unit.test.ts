import { describe, expect, it } from 'vitest';
import { encodePosition } from './position.ts';
import { readAllQuery } from './read-all-query.ts';

describe('readAll query', () => {
  it('always reads below the horizon it is given, in (tx_id, position) order', () => {
    const query = readAllQuery({ limit: 10 }, '812');
    expect(query.text).toContain('tx_id < $1::xid8');
    expect(query.text).toMatch(/order by tx_id, position limit \$2::integer$/);
    expect(query.values).toEqual(['812', 10]);
  });

  it('resumes after a position with a row comparison and adds only the filters given', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const query = readAllQuery(
      {
        after: encodePosition(700, 42),
        limit: 5,
        types: ['A', 'B'],
        customerId: 'c-1',
        from,
      },
      '900',
    );
    expect(query.text).toContain('(tx_id, position) > ($2::xid8, $3::bigint)');
    expect(query.text).toContain('type = any($4::text[])');
    expect(query.text).toContain('stream_id = $5::text');
    expect(query.text).toContain('occurred_at >= $6::timestamptz');
    expect(query.text).not.toContain('occurred_at <=');
    expect(query.values).toEqual(['900', '700', '42', ['A', 'B'], 'customer-c-1', from, 5]);
  });

  it('treats an empty type list as no type filter', () => {
    expect(readAllQuery({ limit: 1, types: [] }, '1').text).not.toContain('type = any');
  });
});
