import { type CadencePolicy, DEFAULT_CADENCE, typicalGapDays } from './cadence.ts';
import type { Tier } from './event-catalogue.ts';
import type { RelationshipFold } from './relationship-fold.ts';
import type { TierPolicy } from './tier-policy.ts';
import { type LocalDate, localDateOf } from './zoned-date.ts';

/** What the rules depend on besides the events. */
export interface RuleContext {
  /** The organisation's IANA time zone: every date is a calendar date there. */
  timeZone: string;
  policy: TierPolicy;
  /** Default DEFAULT_CADENCE. */
  cadence?: CadencePolicy;
}

/**
 * A relationship's facts as they stand after the events of some day: they
 * hold until the next event. What changes from day to day without any event
 * (daysSinceContact, status, overdue promises, cadence alerts) is derived from
 * a snapshot and the day asked about.
 */
export interface RelationshipSnapshot {
  customerId: string;
  name: string | null;
  tier: Tier;
  accountManagerId: string | null;
  segment: string | null;
  contractValue: number | null;
  onboardedAt: string;
  lastContactAt: string;
  /** The date of lastContactAt in the organisation's zone. */
  lastContactDate: LocalDate;
  openComplaints: number;
  lastNpsScore: number | null;
  lastNpsAt: string | null;
  lastDelightAt: string | null;
  typicalContactGapDays: number | null;
  /** Due times of the open promises, ascending. */
  openPromiseDueAts: string[];
}

/** The snapshot of a fold; null before onboarding. */
export function snapshotOfFold(fold: RelationshipFold, context: RuleContext): RelationshipSnapshot | null {
  if (fold.onboardedAt === null || fold.lastContactAt === null) return null;
  return {
    customerId: fold.customerId,
    name: fold.name,
    tier: fold.tier,
    accountManagerId: fold.accountManagerId,
    segment: fold.segment,
    contractValue: fold.contractValue,
    onboardedAt: fold.onboardedAt,
    lastContactAt: fold.lastContactAt,
    lastContactDate: localDateOf(fold.lastContactAt, context.timeZone),
    openComplaints: Object.values(fold.complaints).filter(Boolean).length,
    lastNpsScore: fold.lastNpsScore,
    lastNpsAt: fold.lastNpsAt,
    lastDelightAt: fold.lastDelightAt,
    typicalContactGapDays: typicalGapDays(fold.contactDays, context.cadence ?? DEFAULT_CADENCE),
    openPromiseDueAts: Object.values(fold.promises)
      .filter((due): due is string => due !== false)
      .sort(),
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** True when two snapshots hold the same facts. */
export function sameSnapshot(a: RelationshipSnapshot, b: RelationshipSnapshot): boolean {
  return (
    a.customerId === b.customerId &&
    a.name === b.name &&
    a.tier === b.tier &&
    a.accountManagerId === b.accountManagerId &&
    a.segment === b.segment &&
    a.contractValue === b.contractValue &&
    a.onboardedAt === b.onboardedAt &&
    a.lastContactAt === b.lastContactAt &&
    a.lastContactDate === b.lastContactDate &&
    a.openComplaints === b.openComplaints &&
    a.lastNpsScore === b.lastNpsScore &&
    a.lastNpsAt === b.lastNpsAt &&
    a.lastDelightAt === b.lastDelightAt &&
    a.typicalContactGapDays === b.typicalContactGapDays &&
    sameList(a.openPromiseDueAts, b.openPromiseDueAts)
  );
}
