import { describe, expect, it } from 'vitest';
import { DEFAULT_TIER_POLICY, parseTierPolicy } from './tier-policy.ts';

describe('tier policy configuration', () => {
  it('overrides the named tiers and keeps the defaults of the others', () => {
    const policy = parseTierPolicy('strategic=7/21, long-tail=90/180');
    expect(policy.strategic).toEqual({ quietAfter: 7, neglectedAfter: 21 });
    expect(policy['long-tail']).toEqual({ quietAfter: 90, neglectedAfter: 180 });
    expect(policy.key).toEqual(DEFAULT_TIER_POLICY.key);
  });

  it.each([
    ['gold=1/2', /unknown tier/],
    ['key=30/20', /less than neglectedAfter/],
    ['key=0/20', /at least 1/],
    ['key=21', /tier=quietAfter\/neglectedAfter/],
  ])('rejects %s', (text, message) => {
    expect(() => parseTierPolicy(text)).toThrow(message);
  });
});
