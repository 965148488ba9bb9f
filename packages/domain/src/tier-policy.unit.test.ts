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

describe('tier policy edge cases', () => {
  it('tolerates spaces and an empty setting', () => {
    expect(parseTierPolicy(' key = 10 / 20 ').key).toEqual({ quietAfter: 10, neglectedAfter: 20 });
    expect(parseTierPolicy('')).toEqual(DEFAULT_TIER_POLICY);
  });

  it.each([
    ['key=10/20,key=11/21', /more than once/],
    ['key=20/20', /less than neglectedAfter/],
    ['key=-1/20', /tier=quietAfter/],
    ['key=1.5/20', /tier=quietAfter/],
  ])('rejects %s', (text, message) => {
    expect(() => parseTierPolicy(text)).toThrow(message);
  });

  it('keeps the defaults from being changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_TIER_POLICY) && Object.isFrozen(DEFAULT_TIER_POLICY.key)).toBe(true);
  });
});
