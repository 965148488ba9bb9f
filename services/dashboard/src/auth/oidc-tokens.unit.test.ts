import { describe, expect, it } from 'vitest';
import { renewalDelay } from './oidc-tokens.ts';

const tokens = (lifetimeS: number | null) => ({
  accessToken: 'a',
  receivedAt: 1_000_000,
  expiresAt: lifetimeS === null ? null : 1_000_000 + lifetimeS * 1000,
});

describe('when a token from the identity provider is renewed', () => {
  it('at 80% of its lifetime, but never more than a minute before its end', () => {
    expect(renewalDelay(tokens(10), null, 1_000_000)).toBe(8_000);
    expect(renewalDelay(tokens(300), null, 1_000_000)).toBe(240_000);
    expect(renewalDelay(tokens(3600), null, 1_000_000)).toBe(3_540_000);
  });

  it("counts from now (a reloaded page), at once when that moment has passed, by the token's exp without expires_in", () => {
    expect(renewalDelay(tokens(300), null, 1_100_000)).toBe(140_000);
    expect(renewalDelay(tokens(300), null, 1_290_000)).toBe(0);
    expect(renewalDelay(tokens(null), 1_000_000 + 300_000, 1_000_000)).toBe(240_000);
    expect(renewalDelay(tokens(null), null, 1_000_000)).toBeNull();
  });
});
