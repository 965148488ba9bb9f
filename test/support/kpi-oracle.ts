// An independent reference implementation ("oracle") of the daily KPIs and the
// delight streak in docs/rules.md, used by tests to check the platform's daily
// views. Like domain-oracle.ts (the only thing it imports; it reuses its
// calendar helpers and its relationship rules for status and open complaints)
// it is written from the product rules only and imports nothing from the
// platform, so a shared misreading cannot hide a bug. It is deliberately
// naive: every question is answered by filtering the full event list again.
//
// Decisions this oracle takes where the product rules were silent when it was
// written (docs/rules.md now states each):
// - A customer counts for day D only when its (first) onboarding counts for D.
//   Every count dated D (churn, NPS answer, complaint receipt/acknowledgement/
//   first resolution, promise due day, delight moment, compliment) counts only
//   when its customer counts for that D, and for the account manager that owns
//   the customer as of that D (for NPS answers: as of the answer's own day).
// - A complaint is (customerId, complaintId): its receipt is the first
//   ComplaintReceived by occurrence, its acknowledgement the first
//   ComplaintAcknowledged, its first resolution the first ComplaintResolved.
//   Complaint events without any receipt count nowhere.
// - A promise is (customerId, promiseId): the first PromiseMade by occurrence
//   gives its dueAt; it is due on D when made by the end of D; it drops out
//   when cancelled strictly before dueAt; it is kept on time when kept at or
//   before dueAt.
// - An event id counts once (the first in log order), as in domain-oracle.ts.

import {
  endOfDay,
  localDate,
  type OracleContext,
  type OracleEvent,
  type OracleRelationship,
  oracleRelationship,
} from './domain-oracle.ts';

export type KpiOracleEvent = OracleEvent & { actorId?: string };

export interface OracleDailyKpis {
  date: string;
  activeCustomers: number;
  goingQuiet: number;
  neglected: number;
  churned: number;
  npsResponses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
  complaintsReceived: number;
  complaintsResolved: number;
  openComplaints: number;
  medianHoursToAcknowledge: number | null;
  medianHoursToResolve: number | null;
  promisesDue: number;
  promisesKeptOnTime: number;
  delightMoments: number;
  compliments: number;
  retentionRate90d: number | null;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------
// Small helpers.

// Pure memos of Date.parse and localDate by string: the same instants are
// parsed again for every day of a series. They change no answer.
const parsed = new Map<string, number>();
const localDates = new Map<string, Map<string, string>>();

/** Milliseconds of an event's occurredAt. */
function ms(e: OracleEvent): number {
  let value = parsed.get(e.occurredAt);
  if (value === undefined) {
    value = Date.parse(e.occurredAt);
    parsed.set(e.occurredAt, value);
  }
  return value;
}

/** Local date of an instant in the zone. */
function dateIn(instantIso: string, timeZone: string): string {
  let zone = localDates.get(timeZone);
  if (!zone) {
    zone = new Map();
    localDates.set(timeZone, zone);
  }
  let value = zone.get(instantIso);
  if (value === undefined) {
    value = localDate(instantIso, timeZone);
    zone.set(instantIso, value);
  }
  return value;
}

/** By occurrence: occurredAt, ties broken by log position (plain string order). */
function compareEvents(a: OracleEvent, b: OracleEvent): number {
  const byTime = ms(a) - ms(b);
  if (byTime !== 0) return byTime;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

/** Keep one event per id (the first in log order): the store records an id only once. */
function distinctById<E extends OracleEvent>(events: E[]): E[] {
  const byPosition = [...events].sort((a, b) =>
    a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  const seen = new Set<string>();
  return byPosition.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

/** The calendar date `n` days after `day` (negative: before). */
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Events grouped by a key, in the order of `events`. */
function groupBy<E>(events: E[], key: (e: E) => string): E[][] {
  return [...Map.groupBy(events, key).values()];
}

// ---------------------------------------------------------------------------
// The facts one call works from: every distinct event, by occurrence, with
// cached calendar lookups (pure caches; they change no answer).

interface Facts {
  ctx: OracleContext;
  /** The events as given (domain-oracle takes them as they come). */
  given: KpiOracleEvent[];
  /** Every distinct event, by occurrence. */
  events: KpiOracleEvent[];
  /** Local date of an event's occurredAt. */
  dateOf: (e: OracleEvent) => string;
  /** Milliseconds of the first instant after `day`: an event counts for `day` iff it occurred before this. */
  endMs: (day: string) => number;
}

function facts(events: KpiOracleEvent[], ctx: OracleContext): Facts {
  const ends = new Map<string, number>();
  return {
    ctx,
    given: events,
    events: distinctById(events).sort(compareEvents),
    dateOf: (e) => dateIn(e.occurredAt, ctx.timeZone),
    endMs: (day) => {
      let end = ends.get(day);
      if (end === undefined) {
        end = Date.parse(endOfDay(day, ctx.timeZone));
        ends.set(day, end);
      }
      return end;
    },
  };
}

/** The onboarding that counts for the customer: its first, by occurrence, whenever it counts. */
function onboardingOf(f: Facts, customerId: string): OracleEvent | undefined {
  return f.events.find((e) => e.type === 'CustomerOnboarded' && e.customerId === customerId);
}

/** Onboarded by the end of `day`. */
function countsFor(f: Facts, customerId: string, day: string): boolean {
  const onboarding = onboardingOf(f, customerId);
  return onboarding !== undefined && ms(onboarding) < f.endMs(day);
}

/** The account manager as of `day`: the latest of the onboarding and the assignments counting for `day`. */
function managerAsOf(f: Facts, customerId: string, day: string): string | null {
  const onboarding = onboardingOf(f, customerId);
  if (!onboarding) return null;
  const end = f.endMs(day);
  const setters = f.events.filter(
    (e) =>
      e === onboarding || (e.type === 'AccountManagerAssigned' && e.customerId === customerId && ms(e) < end),
  );
  const last = setters.at(-1)!; // f.events is by occurrence
  return typeof last.data.accountManagerId === 'string' ? last.data.accountManagerId : null;
}

/** The customer counts for `day`, in the scope (every customer, or one account manager's as of `day`). */
function inScope(f: Facts, customerId: string, day: string, accountManagerId: string | undefined): boolean {
  if (!countsFor(f, customerId, day)) return false;
  return accountManagerId === undefined || managerAsOf(f, customerId, day) === accountManagerId;
}

// A pure cache of the book per day for the latest event list and context, keyed
// by their whole content (so an edited list or context is never served stale).
// A KPI series asks for the same book for every scope and again 90 days later;
// building it costs far more than the rest of a day's KPIs. It changes no answer.
let bookCache: { key: string; byDay: Map<string, OracleRelationship[]> } | undefined;

/**
 * The book of the facts' events: for a day, every customer onboarded by its
 * end, as domain-oracle's oracleRelationship sees it.
 */
function bookOf(f: Facts): (day: string) => OracleRelationship[] {
  const key = JSON.stringify([f.ctx, f.given]);
  if (bookCache?.key !== key) bookCache = { key, byDay: new Map() };
  const { byDay } = bookCache;
  return (day) => {
    let book = byDay.get(day);
    if (book) return book;
    const end = f.endMs(day);
    book = groupBy(f.given, (e) => e.customerId)
      // Skips only customers that oracleRelationship would answer null for anyway.
      .filter((customerEvents) => customerEvents.some((e) => e.type === 'CustomerOnboarded' && ms(e) < end))
      .map((customerEvents) => oracleRelationship(customerEvents, day, f.ctx))
      .filter((r): r is OracleRelationship => r !== null);
    byDay.set(day, book);
    return book;
  };
}

/** The relationships of a book in the scope (by their account manager as of the book's day). */
function ofScope(book: OracleRelationship[], accountManagerId: string | undefined): OracleRelationship[] {
  return book.filter((r) => accountManagerId === undefined || r.accountManagerId === accountManagerId);
}

// ---------------------------------------------------------------------------
// Complaints and promises, each as one record built from all its events.

interface Complaint {
  customerId: string;
  received: OracleEvent;
  acknowledged: OracleEvent | undefined;
  firstResolved: OracleEvent | undefined;
}

function complaints(f: Facts): Complaint[] {
  const complaintEvents = f.events.filter((e) =>
    ['ComplaintReceived', 'ComplaintAcknowledged', 'ComplaintResolved'].includes(e.type),
  );
  const result: Complaint[] = [];
  for (const group of groupBy(complaintEvents, (e) => JSON.stringify([e.customerId, e.data.complaintId]))) {
    // Each group is by occurrence, so `find` gives the first of each type.
    const received = group.find((e) => e.type === 'ComplaintReceived');
    if (!received) continue; // never received: counts nowhere
    result.push({
      customerId: received.customerId,
      received,
      acknowledged: group.find((e) => e.type === 'ComplaintAcknowledged'),
      firstResolved: group.find((e) => e.type === 'ComplaintResolved'),
    });
  }
  return result;
}

interface OraclePromise {
  customerId: string;
  made: OracleEvent;
  dueMs: number;
  dueDay: string;
  cancelledBeforeDue: boolean;
  keptOnTime: boolean;
}

function promises(f: Facts): OraclePromise[] {
  const promiseEvents = f.events.filter((e) =>
    ['PromiseMade', 'PromiseKept', 'PromiseCancelled'].includes(e.type),
  );
  const result: OraclePromise[] = [];
  for (const group of groupBy(promiseEvents, (e) => JSON.stringify([e.customerId, e.data.promiseId]))) {
    const made = group.find((e) => e.type === 'PromiseMade'); // the first making; later ones are ignored
    if (!made || typeof made.data.dueAt !== 'string') continue;
    const dueMs = Date.parse(made.data.dueAt);
    if (Number.isNaN(dueMs)) continue;
    result.push({
      customerId: made.customerId,
      made,
      dueMs,
      dueDay: dateIn(made.data.dueAt, f.ctx.timeZone),
      cancelledBeforeDue: group.some((e) => e.type === 'PromiseCancelled' && ms(e) < dueMs),
      keptOnTime: group.some((e) => e.type === 'PromiseKept' && ms(e) <= dueMs),
    });
  }
  return result;
}

// ---------------------------------------------------------------------------

/**
 * The daily KPIs for `day` (YYYY-MM-DD in ctx.timeZone), for the whole
 * organisation or, with `accountManagerId`, for one account manager.
 */
export function oracleDailyKpis(
  events: KpiOracleEvent[],
  day: string,
  ctx: OracleContext,
  accountManagerId?: string,
): OracleDailyKpis {
  const f = facts(events, ctx);
  const end = f.endMs(day);
  /** Events of a type dated `day`, whose customer is in the scope for `day`. */
  const datedToday = (type: string) =>
    f.events.filter(
      (e) => e.type === type && f.dateOf(e) === day && inScope(f, e.customerId, day, accountManagerId),
    );

  // The book as of the day: status and open complaints per relationship.
  const bookOn = bookOf(f);
  const bookToday = bookOn(day);
  const relationships = ofScope(bookToday, accountManagerId);
  const active = relationships.filter((r) => r.status !== 'CHURNED');

  // NPS over the answers dated day-89 .. day, each in scope as of its own day.
  const windowStart = addDays(day, -89);
  const scores = f.events
    .filter((e) => {
      if (e.type !== 'NpsResponded' || typeof e.data.score !== 'number') return false;
      const answerDay = f.dateOf(e);
      return (
        answerDay >= windowStart && answerDay <= day && inScope(f, e.customerId, answerDay, accountManagerId)
      );
    })
    .map((e) => e.data.score as number);
  const promoters = scores.filter((s) => s >= 9).length;
  const passives = scores.filter((s) => s >= 7 && s <= 8).length;
  const detractors = scores.filter((s) => s <= 6).length;

  // Complaints: received, acknowledged and first resolved on the day.
  const inScopeToday = (c: { customerId: string }) => inScope(f, c.customerId, day, accountManagerId);
  const allComplaints = complaints(f).filter(inScopeToday);
  const received = allComplaints.filter((c) => f.dateOf(c.received) === day);
  const receivedByEnd = allComplaints.filter((c) => ms(c.received) < end);
  const acknowledged = receivedByEnd.filter((c) => c.acknowledged && f.dateOf(c.acknowledged) === day);
  const resolved = receivedByEnd.filter((c) => c.firstResolved && f.dateOf(c.firstResolved) === day);

  // Promises due on the day, made by its end, not cancelled before their dueAt.
  const due = promises(f)
    .filter(inScopeToday)
    .filter((p) => p.dueDay === day && ms(p.made) < end && !p.cancelledBeforeDue);

  // Retention: of the scope's customers active at the end of day-90, the share active at the end of day.
  const previousDay = addDays(day, -90);
  const activeThen = ofScope(bookOn(previousDay), accountManagerId).filter((r) => r.status !== 'CHURNED');
  // Still active now under any account manager.
  const activeNow = new Set(bookToday.filter((r) => r.status !== 'CHURNED').map((r) => r.customerId));
  const stayed = activeThen.filter((r) => activeNow.has(r.customerId));

  return {
    date: day,
    activeCustomers: active.length,
    goingQuiet: active.filter((r) => r.status === 'GOING_QUIET').length,
    neglected: active.filter((r) => r.status === 'NEGLECTED').length,
    churned: datedToday('CustomerChurned').length,
    npsResponses: scores.length,
    promoters,
    passives,
    detractors,
    nps: npsOneDecimal(promoters, detractors, scores.length),
    complaintsReceived: received.length,
    complaintsResolved: resolved.length,
    openComplaints: relationships.reduce((sum, r) => sum + r.openComplaints, 0),
    medianHoursToAcknowledge: median(
      acknowledged.map((c) => (ms(c.acknowledged!) - ms(c.received)) / HOUR_MS),
    ),
    medianHoursToResolve: median(resolved.map((c) => (ms(c.firstResolved!) - ms(c.received)) / HOUR_MS)),
    promisesDue: due.length,
    promisesKeptOnTime: due.filter((p) => p.keptOnTime).length,
    delightMoments: datedToday('DelightMomentRecorded').length,
    compliments: datedToday('ComplimentReceived').length,
    retentionRate90d: activeThen.length === 0 ? null : stayed.length / activeThen.length,
  };
}

/** Number of consecutive days ending at `day` on which `actorId` recorded at least one counting delight moment. */
export function oracleStreak(
  events: KpiOracleEvent[],
  actorId: string,
  day: string,
  ctx: OracleContext,
): number {
  const f = facts(events, ctx);
  const days = new Set(
    f.events
      .filter((e) => e.type === 'DelightMomentRecorded' && e.actorId === actorId)
      .filter((e) => countsFor(f, e.customerId, f.dateOf(e)))
      .map((e) => f.dateOf(e)),
  );
  let streak = 0;
  while (days.has(addDays(day, -streak))) streak++;
  return streak;
}

/** NPS with one decimal, halves away from zero on both sides (12.25 -> 12.3, -12.25 -> -12.3). */
function npsOneDecimal(promoters: number, detractors: number, answers: number): number | null {
  if (answers === 0) return null;
  const tenths = Math.round((1000 * Math.abs(promoters - detractors)) / answers);
  return promoters >= detractors ? tenths / 10 : -tenths / 10;
}
