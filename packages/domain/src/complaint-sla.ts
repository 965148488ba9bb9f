import { parseNamedNumbers } from './named-numbers.ts';

const HOUR_MS = 3_600_000;

/** Service levels for complaints, in hours ("keep the customer informed in every phase"). */
export interface ComplaintSla {
  /** Acknowledge within this many hours of receipt. */
  acknowledge: number;
  /** While open, tell the customer something at least this often. */
  update: number;
  /** Resolve within this many hours of receipt. */
  resolve: number;
}

export const DEFAULT_COMPLAINT_SLA: ComplaintSla = { acknowledge: 24, update: 48, resolve: 120 };

/** Parses CRH_COMPLAINT_SLA, e.g. `acknowledge=8,resolve=72` (hours); names not given keep their default. */
export const parseComplaintSla = (text: string): ComplaintSla =>
  parseNamedNumbers(text, { ...DEFAULT_COMPLAINT_SLA }, 'Complaint SLA', 24 * 365);

export type SlaKind = 'ACKNOWLEDGE' | 'UPDATE' | 'RESOLVE';

export interface SlaBreach {
  kind: SlaKind;
  /** When the target was missed. */
  dueAt: string;
  /** Still running: open and not yet put right (an acknowledgement, an update, the resolution). */
  running: boolean;
}

/** What the SLA needs of a complaint (a stored row or a lifecycle). */
export interface SlaFacts {
  receivedAt: string;
  acknowledgedAt: string | null;
  firstResolvedAt: string | null;
  open: boolean;
  longestSilenceHours: number;
  /** Where the longest finished silence began. */
  longestSilenceFrom: string | null;
  silentSince: string | null;
}

const plusHours = (at: string, hours: number) => new Date(Date.parse(at) + hours * HOUR_MS).toISOString();

/**
 * The targets a complaint missed as of `now`: acknowledged (or still not)
 * after the acknowledge target; a silence while open longer than the update
 * target (the current one counts up to now); resolved (or still open) after
 * the resolve target.
 */
export function slaBreaches(c: SlaFacts, now: Date, sla: ComplaintSla): SlaBreach[] {
  const breaches: SlaBreach[] = [];
  const nowMs = now.getTime();
  const missed = (dueAt: string, doneAt: string | null) =>
    doneAt === null ? Date.parse(dueAt) < nowMs : doneAt > dueAt;
  const ackDue = plusHours(c.receivedAt, sla.acknowledge);
  if (missed(ackDue, c.acknowledgedAt)) {
    breaches.push({ kind: 'ACKNOWLEDGE', dueAt: ackDue, running: c.open && c.acknowledgedAt === null });
  }
  const silentNow = c.open && c.silentSince !== null ? (nowMs - Date.parse(c.silentSince)) / HOUR_MS : 0;
  if (silentNow > sla.update) {
    breaches.push({ kind: 'UPDATE', dueAt: plusHours(c.silentSince!, sla.update), running: true });
  } else if (c.longestSilenceHours > sla.update) {
    const from = c.longestSilenceFrom ?? c.receivedAt;
    breaches.push({ kind: 'UPDATE', dueAt: plusHours(from, sla.update), running: false });
  }
  const resolveDue = plusHours(c.receivedAt, sla.resolve);
  const resolvedAt = c.open ? null : c.firstResolvedAt;
  if (missed(resolveDue, resolvedAt) || (c.firstResolvedAt !== null && c.firstResolvedAt > resolveDue)) {
    breaches.push({ kind: 'RESOLVE', dueAt: resolveDue, running: c.open });
  }
  return breaches;
}

export type ComplaintOutcome = 'RECOVERED' | 'LOST' | 'PENDING';

/** 90 days after resolution (DOMAIN.md), as a span of time. */
const OUTCOME_WINDOW_MS = 90 * 24 * HOUR_MS;

/**
 * Recovered: resolved, and the customer did not churn in the 90 days after
 * the resolution; lost: churned in that window; pending: less than 90 days
 * since the resolution and not churned. Null while open.
 */
export function complaintOutcome(
  resolvedAt: string | null,
  churnedAfterResolutionAt: string | null,
  now: Date,
): ComplaintOutcome | null {
  if (resolvedAt === null) return null;
  const end = Date.parse(resolvedAt) + OUTCOME_WINDOW_MS;
  if (
    churnedAfterResolutionAt !== null &&
    Date.parse(churnedAfterResolutionAt) <= Math.min(end, now.getTime())
  ) {
    return 'LOST';
  }
  return now.getTime() < end ? 'PENDING' : 'RECOVERED';
}
