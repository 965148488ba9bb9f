import { type DomainEvent, isContactEvent, type Tier } from './event-catalogue.ts';
import { type LocalDate, localDateOf } from './zoned-date.ts';

/** An event with its log position (fixed width: string order is arrival order). */
export type PositionedEvent = DomainEvent & { position: string };

/** Where a fold stands: the (occurredAt, position) of the last event folded in. */
export interface FoldKey {
  occurredAt: string;
  position: string;
}

/** Distinct contact days kept for the cadence: enough for up to 15 gaps. */
export const CONTACT_DAYS_KEPT = 16;

/**
 * Everything the relationship rules need from a customer's history, folded in
 * occurrence order. Plain JSON, so a projection can store it and extend it
 * with events that come later in time without re-reading the history; an
 * event that belongs before `through` (a late one) needs a refold instead.
 * Contact days are dates in the organisation's time zone, so a fold belongs
 * to one zone (a zone change rebuilds the read models).
 */
export interface RelationshipFold {
  customerId: string;
  onboardedAt: string | null;
  tier: Tier;
  accountManagerId: string | null;
  name: string | null;
  segment: string | null;
  contractValue: number | null;
  /** Latest contact at or after onboarding; null before onboarding. */
  lastContactAt: string | null;
  /** The last CONTACT_DAYS_KEPT distinct days with a contact (onboarding included), ascending. */
  contactDays: LocalDate[];
  churned: boolean;
  lastNpsScore: number | null;
  lastNpsAt: string | null;
  /** Latest delight moment at or after onboarding. */
  lastDelightAt: string | null;
  /** promiseId -> dueAt while open; false once kept or cancelled (whenever it was made). */
  promises: Record<string, string | false>;
  /** complaintId -> open? for every complaint received so far. */
  complaints: Record<string, boolean>;
  /**
   * complaintId -> open? after the latest resolve/reopen of a complaint not
   * received yet (its steps dated before its receipt). The latest step
   * decides, whenever the receipt is dated. Absent when there is none.
   */
  unreceivedSteps?: Record<string, boolean>;
  through: FoldKey | null;
}

export const compareKeys = (a: FoldKey, b: FoldKey): number =>
  a.occurredAt < b.occurredAt
    ? -1
    : a.occurredAt > b.occurredAt
      ? 1
      : a.position < b.position
        ? -1
        : a.position > b.position
          ? 1
          : 0;

/** Time order; arrival (log) order breaks ties, so late events land where they belong. */
export const byOccurrence = (a: PositionedEvent, b: PositionedEvent): number => compareKeys(a, b);

export function emptyFold(customerId: string): RelationshipFold {
  return {
    customerId,
    onboardedAt: null,
    tier: 'standard',
    accountManagerId: null,
    name: null,
    segment: null,
    contractValue: null,
    lastContactAt: null,
    contactDays: [],
    churned: false,
    lastNpsScore: null,
    lastNpsAt: null,
    lastDelightAt: null,
    promises: {},
    complaints: {},
    through: null,
  };
}

/** True when `event` comes after everything folded so far, so it can be folded in directly. */
export const extendsFold = (fold: RelationshipFold, event: FoldKey): boolean =>
  fold.through === null || compareKeys(event, fold.through) > 0;

function withContactDay(days: readonly LocalDate[], day: LocalDate): LocalDate[] {
  if (days.at(-1) === day) return days as LocalDate[];
  const next = [...days, day];
  return next.length > CONTACT_DAYS_KEPT ? next.slice(-CONTACT_DAYS_KEPT) : next;
}

/**
 * Folds one event in; events must come in occurrence order (see `extendsFold`).
 * `timeZone` is the organisation's: it dates contacts for the cadence.
 */
export function foldEvent(
  fold: RelationshipFold,
  event: PositionedEvent,
  timeZone: string,
): RelationshipFold {
  // The erasure changes no fact of the rules (the projection nulls the
  // personal text the read models keep), and it is dated when it was made:
  // it leaves the fold as it was, `through` too, so the customer's next
  // event is not taken for a late one.
  if (event.type === 'CustomerDataErased') return fold;
  const next: RelationshipFold = {
    ...fold,
    through: { occurredAt: event.occurredAt, position: event.position },
  };
  if (isContactEvent(event.type) && next.onboardedAt !== null) {
    // In occurrence order, the latest contact is simply the last one seen.
    next.lastContactAt = event.occurredAt;
    next.contactDays = withContactDay(next.contactDays, localDateOf(event.occurredAt, timeZone));
  }
  switch (event.type) {
    case 'CustomerOnboarded':
      // Onboarding happens once: in occurrence order the first one counts,
      // and every later one is ignored whole.
      if (next.onboardedAt !== null) break;
      next.onboardedAt = event.occurredAt;
      next.lastContactAt = event.occurredAt;
      next.contactDays = [localDateOf(event.occurredAt, timeZone)];
      next.tier = event.data.tier;
      next.accountManagerId = event.data.accountManagerId;
      next.name = event.data.name;
      next.segment = event.data.segment ?? next.segment;
      next.contractValue = event.data.contractValue ?? next.contractValue;
      break;
    case 'CustomerTierChanged':
      next.tier = event.data.tier;
      break;
    case 'AccountManagerAssigned':
      next.accountManagerId = event.data.accountManagerId;
      break;
    case 'CustomerProfileUpdated':
      next.name = event.data.name ?? next.name;
      next.segment = event.data.segment ?? next.segment;
      next.contractValue = event.data.contractValue ?? next.contractValue;
      break;
    case 'CustomerChurned':
      next.churned = true;
      break;
    case 'ContractRenewed':
      next.churned = false;
      next.contractValue = event.data.contractValue ?? next.contractValue;
      break;
    case 'CustomerReactivated':
      next.churned = false;
      break;
    case 'NpsResponded':
      next.lastNpsScore = event.data.score;
      next.lastNpsAt = event.occurredAt;
      break;
    case 'DelightMomentRecorded':
      if (next.onboardedAt !== null) next.lastDelightAt = event.occurredAt;
      break;
    case 'PromiseMade': {
      // A promise kept or cancelled before its PromiseMade (dates out of order) stays closed.
      const id = event.data.promiseId;
      if (!Object.hasOwn(next.promises, id)) next.promises = { ...next.promises, [id]: event.data.dueAt };
      break;
    }
    case 'PromiseKept':
    case 'PromiseCancelled':
      next.promises = { ...next.promises, [event.data.promiseId]: false };
      break;
    case 'ComplaintReceived': {
      const id = event.data.complaintId;
      if (Object.hasOwn(next.complaints, id)) break;
      const steps = next.unreceivedSteps;
      const earlier = steps && Object.hasOwn(steps, id) ? steps[id] : undefined;
      next.complaints = { ...next.complaints, [id]: earlier ?? true };
      if (steps && earlier !== undefined) {
        const rest = { ...steps };
        delete rest[id];
        if (Object.keys(rest).length > 0) next.unreceivedSteps = rest;
        else delete next.unreceivedSteps;
      }
      break;
    }
    case 'ComplaintResolved':
    case 'ComplaintReopened': {
      // The latest of resolved/reopened decides, even when dated before the receipt.
      const id = event.data.complaintId;
      const open = event.type === 'ComplaintReopened';
      if (Object.hasOwn(next.complaints, id)) next.complaints = { ...next.complaints, [id]: open };
      else next.unreceivedSteps = { ...next.unreceivedSteps, [id]: open };
      break;
    }
    case 'ContactLogged':
    case 'ComplaintAcknowledged':
    case 'ComplaintUpdateSent':
    case 'RecoveryGestureMade':
    case 'ComplaintFeedbackReceived':
    case 'ComplimentReceived':
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event type ${(unhandled as DomainEvent).type}`);
    }
  }
  return next;
}

/** Folds events that all come after the fold's `through`, in occurrence order. */
export const foldAll = (
  fold: RelationshipFold,
  sorted: readonly PositionedEvent[],
  timeZone: string,
): RelationshipFold => sorted.reduce((f, e) => foldEvent(f, e, timeZone), fold);

/** Folds a customer's events given in any order. */
export function foldHistory(
  customerId: string,
  events: readonly PositionedEvent[],
  timeZone: string,
): RelationshipFold {
  return foldAll(emptyFold(customerId), [...events].sort(byOccurrence), timeZone);
}
