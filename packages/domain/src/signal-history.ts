import type { Tier } from './event-catalogue.ts';
import { compareKeys, type PositionedEvent } from './relationship-fold.ts';

/**
 * The events a customer's signals (KPIs, complaints, promises, NPS, fans)
 * are derived from, compact and in occurrence order. Contacts are not in it:
 * no signal depends on them. Kept whole, not folded, because the signals are
 * not a left fold: a complaint's silences, a promise kept before its due
 * time, an answer's manager as of its own day all look at the whole history,
 * and a late event changes them wherever it lands. Plain JSON, stored per
 * customer by the projection.
 */
export type SignalEntry = { at: string; p: string } & (
  | { k: 'onboarded'; am: string; tier: Tier }
  | { k: 'manager'; am: string }
  | { k: 'tier'; tier: Tier }
  | { k: 'churned' | 'renewed' | 'reactivated' | 'compliment' }
  | { k: 'nps'; score: number; tp?: string }
  | { k: 'delight'; actor?: string }
  | {
      k: 'complaint';
      id: string;
      step: ComplaintStep;
      kind?: string;
      ok?: boolean;
      ch?: string;
      sev?: string;
      cat?: string;
    }
  | { k: 'promise'; id: string; step: 'made' | 'kept' | 'cancelled'; due?: string; what?: string }
);

export type ComplaintStep =
  | 'received'
  | 'acknowledged'
  | 'update'
  | 'resolved'
  | 'reopened'
  | 'gesture'
  | 'feedback';

const COMPLAINT_STEPS: Record<string, ComplaintStep> = {
  ComplaintReceived: 'received',
  ComplaintAcknowledged: 'acknowledged',
  ComplaintUpdateSent: 'update',
  ComplaintResolved: 'resolved',
  ComplaintReopened: 'reopened',
  RecoveryGestureMade: 'gesture',
  ComplaintFeedbackReceived: 'feedback',
};

/** The entry an event adds to the signal history; null for events no signal depends on. */
export function signalEntryOf(event: PositionedEvent): SignalEntry | null {
  const base = { at: event.occurredAt, p: event.position };
  switch (event.type) {
    case 'CustomerOnboarded':
      return { ...base, k: 'onboarded', am: event.data.accountManagerId, tier: event.data.tier };
    case 'AccountManagerAssigned':
      return { ...base, k: 'manager', am: event.data.accountManagerId };
    case 'CustomerTierChanged':
      return { ...base, k: 'tier', tier: event.data.tier };
    case 'CustomerChurned':
      return { ...base, k: 'churned' };
    case 'ContractRenewed':
      return { ...base, k: 'renewed' };
    case 'CustomerReactivated':
      return { ...base, k: 'reactivated' };
    case 'ComplimentReceived':
      return { ...base, k: 'compliment' };
    case 'NpsResponded':
      return {
        ...base,
        k: 'nps',
        score: event.data.score,
        ...(event.data.touchpoint === undefined ? {} : { tp: event.data.touchpoint }),
      };
    case 'DelightMomentRecorded':
      return { ...base, k: 'delight', ...(event.actorId === undefined ? {} : { actor: event.actorId }) };
    case 'ComplaintReceived':
      return {
        ...base,
        k: 'complaint',
        id: event.data.complaintId,
        step: 'received',
        ch: event.data.channel,
        ...(event.data.severity === undefined ? {} : { sev: event.data.severity }),
        ...(event.data.category === undefined ? {} : { cat: event.data.category }),
      };
    case 'RecoveryGestureMade':
      return { ...base, k: 'complaint', id: event.data.complaintId, step: 'gesture', kind: event.data.kind };
    case 'ComplaintFeedbackReceived':
      return {
        ...base,
        k: 'complaint',
        id: event.data.complaintId,
        step: 'feedback',
        ok: event.data.satisfied,
      };
    case 'ComplaintAcknowledged':
    case 'ComplaintUpdateSent':
    case 'ComplaintResolved':
    case 'ComplaintReopened':
      return { ...base, k: 'complaint', id: event.data.complaintId, step: COMPLAINT_STEPS[event.type]! };
    case 'PromiseMade':
      return {
        ...base,
        k: 'promise',
        id: event.data.promiseId,
        step: 'made',
        due: event.data.dueAt,
        // Absent once erased, as the erasure leaves a stored entry (see the projection).
        ...(event.data.description === null ? {} : { what: event.data.description }),
      };
    case 'PromiseKept':
      return { ...base, k: 'promise', id: event.data.promiseId, step: 'kept' };
    case 'PromiseCancelled':
      return { ...base, k: 'promise', id: event.data.promiseId, step: 'cancelled' };
    default:
      return null;
  }
}

const byKey = (a: SignalEntry, b: SignalEntry) =>
  compareKeys({ occurredAt: a.at, position: a.p }, { occurredAt: b.at, position: b.p });

/**
 * The history with the events' entries added in occurrence order. An entry
 * whose position is already in it is not added again, so a batch delivered
 * twice changes nothing.
 */
export function withSignals(
  history: readonly SignalEntry[],
  events: readonly PositionedEvent[],
): SignalEntry[] {
  const seen = new Set(history.map((e) => e.p));
  const added: SignalEntry[] = [];
  for (const event of events) {
    const entry = signalEntryOf(event);
    if (entry && !seen.has(entry.p)) {
      seen.add(entry.p);
      added.push(entry);
    }
  }
  if (added.length === 0) return history as SignalEntry[];
  added.sort(byKey);
  const last = history.at(-1);
  // In-order events (the usual case) append; a late one sorts in.
  if (!last || byKey(last, added[0]!) < 0) return [...history, ...added];
  return [...history, ...added].sort(byKey);
}

/** The entries of one kind ('complaint' or 'promise') grouped by their id, each list in occurrence order. */
export function entriesById<K extends 'complaint' | 'promise'>(
  history: readonly SignalEntry[],
  kind: K,
): Map<string, Extract<SignalEntry, { k: K }>[]> {
  const byId = new Map<string, Extract<SignalEntry, { k: K }>[]>();
  for (const entry of history) {
    if (entry.k !== kind) continue;
    const { id } = entry as { id: string };
    const e = entry as Extract<SignalEntry, { k: K }>;
    const list = byId.get(id);
    if (list) list.push(e);
    else byId.set(id, [e]);
  }
  return byId;
}
