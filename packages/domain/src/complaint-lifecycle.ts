import { entriesById, type SignalEntry } from './signal-history.ts';

const HOUR_MS = 3_600_000;
const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;

/** A recovery gesture beyond the repair: not money back (a discount alone is not enough). */
const BEYOND_REPAIR = (kind: string | undefined) => kind !== 'discount' && kind !== 'refund';

type ComplaintEntry = Extract<SignalEntry, { k: 'complaint' }>;

/**
 * One complaint's lifecycle (docs/rules.md, "Complaints"), from its entries
 * in occurrence order. Only what does not depend on the clock: the silence of
 * a complaint still open runs from `silentSince` up to whenever it is asked.
 */
export interface ComplaintLifecycle {
  complaintId: string;
  receivedAt: string;
  channel: string | null;
  severity: string | null;
  category: string | null;
  /** The first acknowledgement, by occurrence. */
  acknowledgedAt: string | null;
  /** The first resolution, by occurrence. */
  firstResolvedAt: string | null;
  hoursToAcknowledge: number | null;
  hoursToResolve: number | null;
  updates: number;
  reopenings: number;
  /** Open now: the latest resolve/reopen decides, none means open. */
  open: boolean;
  /** The resolution that closed it, while closed. */
  resolvedAt: string | null;
  /** The longest finished silence while open, in hours (0 when none). */
  longestSilenceHours: number;
  /** Where that silence began (null when none). */
  longestSilenceFrom: string | null;
  /** Stretches of time it was open, from the receipt on: [from, to), to null while still open. */
  openPeriods: [string, string | null][];
  /** While open: the last customer-facing step (or the reopening) the current silence runs from. */
  silentSince: string | null;
  /** The latest customer-facing step (received, acknowledged, update, resolved). */
  lastStepAt: string;
  beyondRepair: boolean;
  gestures: string[];
  feedbackAsked: boolean;
  /** The latest feedback's answer. */
  feedbackSatisfied: boolean | null;
}

/** Every received complaint's lifecycle; steps of a complaint never received count nowhere. */
export function complaintLifecycles(history: readonly SignalEntry[]): ComplaintLifecycle[] {
  const byId = entriesById(history, 'complaint');
  const result: ComplaintLifecycle[] = [];
  for (const [id, entries] of byId) {
    const lifecycle = complaintLifecycle(id, entries);
    if (lifecycle) result.push(lifecycle);
  }
  return result;
}

function complaintLifecycle(
  complaintId: string,
  entries: readonly ComplaintEntry[],
): ComplaintLifecycle | null {
  const received = entries.find((e) => e.step === 'received');
  if (!received) return null;
  const first = (step: string) => entries.find((e) => e.step === step)?.at ?? null;
  const acknowledgedAt = first('acknowledged');
  const firstResolvedAt = first('resolved');
  const closing = entries.filter((e) => e.step === 'resolved' || e.step === 'reopened');
  const latest = closing.at(-1);
  const open = latest === undefined || latest.step === 'reopened';
  const gestures = entries.filter((e) => e.step === 'gesture').map((e) => e.kind ?? 'other');
  const feedback = entries.filter((e) => e.step === 'feedback');
  const silence = silences(received.at, entries);
  const facing = entries.filter((e) => isCustomerFacing(e) && e.at >= received.at);
  return {
    complaintId,
    receivedAt: received.at,
    channel: received.ch ?? null,
    severity: received.sev ?? null,
    category: received.cat ?? null,
    acknowledgedAt,
    firstResolvedAt,
    hoursToAcknowledge: acknowledgedAt === null ? null : hoursBetween(received.at, acknowledgedAt),
    hoursToResolve: firstResolvedAt === null ? null : hoursBetween(received.at, firstResolvedAt),
    updates: entries.filter((e) => e.step === 'update').length,
    reopenings: entries.filter((e) => e.step === 'reopened').length,
    open,
    resolvedAt: open ? null : latest!.at,
    longestSilenceHours: silence.longest,
    longestSilenceFrom: silence.longestFrom,
    openPeriods: silence.periods,
    silentSince: open ? silence.since : null,
    lastStepAt: facing.at(-1)?.at ?? received.at,
    beyondRepair: gestures.some(BEYOND_REPAIR),
    gestures,
    feedbackAsked: feedback.length > 0,
    feedbackSatisfied: feedback.at(-1)?.ok ?? null,
  };
}

const isCustomerFacing = (e: ComplaintEntry) =>
  e.step === 'received' || e.step === 'acknowledged' || e.step === 'update' || e.step === 'resolved';

/**
 * Silences while open: from the receipt on, the gaps between consecutive
 * customer-facing steps inside each open period. A reopening starts a new
 * period (its silence runs from the reopening); a resolution ends one. What
 * is dated before the receipt decides only whether the complaint is open
 * when received (a resolution dated earlier leaves it closed until reopened).
 */
function silences(
  receivedAt: string,
  entries: readonly ComplaintEntry[],
): { longest: number; longestFrom: string | null; since: string; periods: [string, string | null][] } {
  let open = true;
  for (const e of entries) {
    if (e.at >= receivedAt) break;
    if (e.step === 'resolved') open = false;
    else if (e.step === 'reopened') open = true;
  }
  let longest = 0;
  let longestFrom: string | null = null;
  let since = receivedAt;
  const periods: [string, string | null][] = open ? [[receivedAt, null]] : [];
  for (const e of entries) {
    if (e.at < receivedAt || e.step === 'gesture' || e.step === 'feedback') continue;
    if (e.step === 'reopened') {
      if (!open) {
        open = true;
        since = e.at;
        periods.push([e.at, null]);
      }
      continue;
    }
    if (!open) continue;
    const gap = hoursBetween(since, e.at);
    if (gap > longest) {
      longest = gap;
      longestFrom = since;
    }
    since = e.at;
    if (e.step === 'resolved') {
      open = false;
      periods.at(-1)![1] = e.at;
    }
  }
  return { longest, longestFrom, since, periods };
}
