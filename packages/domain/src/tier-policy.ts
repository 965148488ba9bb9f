import { TIERS, type Tier } from './event-catalogue.ts';

export interface TierThresholds {
  /** Days of silence from which a relationship is GOING_QUIET. */
  quietAfter: number;
  /** Days of silence from which it is NEGLECTED. */
  neglectedAfter: number;
}

export type TierPolicy = Readonly<Record<Tier, TierThresholds>>;

// Frozen: it is shared by every caller that does not configure a policy.
export const DEFAULT_TIER_POLICY: TierPolicy = Object.freeze({
  strategic: Object.freeze({ quietAfter: 14, neglectedAfter: 30 }),
  key: Object.freeze({ quietAfter: 21, neglectedAfter: 45 }),
  standard: Object.freeze({ quietAfter: 30, neglectedAfter: 60 }),
  'long-tail': Object.freeze({ quietAfter: 60, neglectedAfter: 120 }),
});

const ENTRY = /^([A-Za-z-]+)\s*=\s*(\d+)\s*\/\s*(\d+)$/;

/**
 * Parses the `CRH_TIER_POLICY` format, `strategic=14/30,key=21/45`: days of
 * silence before GOING_QUIET / NEGLECTED per tier. Tiers not named keep their
 * defaults; anything malformed throws, so a typo never runs silently.
 */
export function parseTierPolicy(text: string): TierPolicy {
  const policy: Record<Tier, TierThresholds> = { ...DEFAULT_TIER_POLICY };
  const seen = new Set<string>();
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = ENTRY.exec(entry);
    if (!m) {
      throw new Error(
        `Tier policy entry "${entry}" is not tier=quietAfter/neglectedAfter, e.g. strategic=14/30.`,
      );
    }
    const tier = TIERS.find((t) => t === m[1]);
    if (tier === undefined)
      throw new Error(`Tier policy names unknown tier "${m[1]}"; tiers: ${TIERS.join(', ')}.`);
    if (seen.has(tier)) throw new Error(`Tier policy names tier "${tier}" more than once.`);
    seen.add(tier);
    const quietAfter = Number(m[2]);
    const neglectedAfter = Number(m[3]);
    if (!Number.isSafeInteger(neglectedAfter) || quietAfter < 1 || quietAfter >= neglectedAfter) {
      throw new Error(
        `Tier policy for ${tier}: quietAfter must be at least 1 and less than neglectedAfter (got ${quietAfter}/${neglectedAfter}).`,
      );
    }
    policy[tier] = { quietAfter, neglectedAfter };
  }
  return policy;
}
