import { isPastDeadline } from './deadline.ts';
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

/**
 * A service level's deadline: `hours` after `from` (the receipt for
 * ACKNOWLEDGE and RESOLVE, the start of the silence for UPDATE). Missed once
 * now is past it (`isPastDeadline`); SQL builds it with `slaDeadlineSql`.
 */
export const slaDeadline = (from: string, hours: number): string =>
  new Date(Date.parse(from) + hours * HOUR_MS).toISOString();

/** Hours the current silence of an open complaint has lasted at `now`; 0 when closed. */
const currentSilenceHours = (c: Pick<SlaFacts, 'open' | 'silentSince'>, now: Date): number =>
  c.open && c.silentSince !== null ? (now.getTime() - Date.parse(c.silentSince)) / HOUR_MS : 0;

/** The longest silence while open as of `now`: the current one counts up to now. */
export const longestSilenceHoursAt = (
  c: Pick<SlaFacts, 'open' | 'silentSince' | 'longestSilenceHours'>,
  now: Date,
): number => Math.max(c.longestSilenceHours, currentSilenceHours(c, now));

/**
 * The targets a complaint missed as of `now`: acknowledged (or still not)
 * after the acknowledge deadline; a silence while open longer than the update
 * target (the current one counts up to now, so it is missed once now is past
 * its deadline); resolved (or still open) after the resolve deadline.
 */
export function slaBreaches(c: SlaFacts, now: Date, sla: ComplaintSla): SlaBreach[] {
  const breaches: SlaBreach[] = [];
  // Done: late when done past the deadline; not done yet: late once now is past it.
  const missed = (dueAt: string, doneAt: string | null) => isPastDeadline(dueAt, doneAt ?? now);
  const ackDue = slaDeadline(c.receivedAt, sla.acknowledge);
  if (missed(ackDue, c.acknowledgedAt)) {
    breaches.push({ kind: 'ACKNOWLEDGE', dueAt: ackDue, running: c.open && c.acknowledgedAt === null });
  }
  const updateDue = c.open && c.silentSince !== null ? slaDeadline(c.silentSince, sla.update) : null;
  if (updateDue !== null && missed(updateDue, null)) {
    breaches.push({ kind: 'UPDATE', dueAt: updateDue, running: true });
  } else if (c.longestSilenceHours > sla.update) {
    const from = c.longestSilenceFrom ?? c.receivedAt;
    breaches.push({ kind: 'UPDATE', dueAt: slaDeadline(from, sla.update), running: false });
  }
  const resolveDue = slaDeadline(c.receivedAt, sla.resolve);
  const resolvedAt = c.open ? null : c.firstResolvedAt;
  if (
    missed(resolveDue, resolvedAt) ||
    (c.firstResolvedAt !== null && missed(resolveDue, c.firstResolvedAt))
  ) {
    breaches.push({ kind: 'RESOLVE', dueAt: resolveDue, running: c.open });
  }
  return breaches;
}

export type ComplaintOutcome = 'RECOVERED' | 'LOST' | 'PENDING';

/** Days after the resolution in which a churn makes the complaint LOST (90 x 24 h, not calendar days). */
export const OUTCOME_WINDOW_DAYS = 90;
const OUTCOME_WINDOW_MS = OUTCOME_WINDOW_DAYS * 24 * HOUR_MS;

/**
 * Recovered: resolved, and the customer did not churn in the 90 days after
 * the resolution; lost: churned in that window (its last instant included);
 * pending: less than 90 days since the resolution and not churned. Null
 * while open.
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
