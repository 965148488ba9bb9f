import { describe, expect, it } from 'vitest';
import { groupStreams } from './read-streams-up-to.ts';

describe('grouping streams into batches for readStreamsUpTo', () => {
  it('packs whole streams up to about batchSize events, a bigger stream alone', () => {
    const counts = new Map([
      ['a', 2],
      ['b', 1],
      ['c', 5],
      ['d', 1],
      ['e', 1],
    ]);
    expect(groupStreams(counts, 3).map((group) => group.map((s) => `${s.customerId}${s.count}`))).toEqual([
      ['a2', 'b1'],
      ['c5'],
      ['d1', 'e1'],
    ]);
    expect(groupStreams(new Map(), 3)).toEqual([]);
  });
});
