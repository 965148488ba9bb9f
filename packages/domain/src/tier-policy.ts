import { TIERS, type Tier } from './event-catalogue.ts';

export interface TierThresholds {
  /** Days of silence from which a relationship is GOING_QUIET. */
  quietAfter: number;
  /** Days of silence from which it is NEGLECTED. */
  neglectedAfter: number;
}

export type TierPolicy = Readonly<Record<Tier, TierThresholds>>;

export const DEFAULT_TIER_POLICY: TierPolicy = {
  strategic: { quietAfter: 14, neglectedAfter: 30 },
  key: { quietAfter: 21, neglectedAfter: 45 },
  standard: { quietAfter: 30, neglectedAfter: 60 },
  'long-tail': { quietAfter: 60, neglectedAfter: 120 },
};

/** Parses `strategic=14/30,key=21/45`; tiers not named keep their defaults. */
export function parseTierPolicy(text: string): TierPolicy {
  const policy: Record<Tier, TierThresholds> = { ...DEFAULT_TIER_POLICY };
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z-]+)=(\d+)\/(\d+)$/.exec(entry);
    if (!m) throw new Error(`"${entry}" is not tier=quietAfter/neglectedAfter, e.g. strategic=14/30`);
    const tier = m[1] as Tier;
    if (!TIERS.includes(tier)) throw new Error(`unknown tier "${m[1]}" (tiers: ${TIERS.join(', ')})`);
    const quietAfter = Number(m[2]);
    const neglectedAfter = Number(m[3]);
    if (quietAfter < 1 || quietAfter >= neglectedAfter) {
      throw new Error(`${tier}: quietAfter must be at least 1 and less than neglectedAfter`);
    }
    policy[tier] = { quietAfter, neglectedAfter };
  }
  return policy;
}
