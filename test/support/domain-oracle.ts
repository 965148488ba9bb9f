// An independent reference implementation ("oracle") of the relationship rules
// in docs/rules.md, used by tests to check the platform's projections. It is
// written from the product rules only and imports nothing from the platform,
// so a shared misreading cannot hide a bug. It is deliberately naive: every
// question is answered by filtering the full event list again.

export interface OracleEvent {
  id: string;
  type: string;
  customerId: string;
  /** ISO 8601 UTC, e.g. 2026-03-01T10:15:00.000Z */
  occurredAt: string;
  data: Record<string, unknown>;
  /** Fixed width: plain string order is log (arrival) order. */
  position: string;
}

export type Tier = 'strategic' | 'key' | 'standard' | 'long-tail';
export type Status = 'ACTIVE' | 'GOING_QUIET' | 'NEGLECTED' | 'CHURNED';

export interface OracleContext {
  timeZone: string;
  policy: Record<Tier, { quietAfter: number; neglectedAfter: number }>;
  /** Default DEFAULT_CADENCE. */
  cadence?: { gaps: number; factor: number; minExtraDays: number };
}

export interface OracleRelationship {
  customerId: string;
  name: string | null;
  tier: string;
  accountManagerId: string | null;
  segment: string | null;
  contractValue: number | null;
  onboardedAt: string;
  lastContactAt: string;
  daysSinceContact: number;
  status: Status;
  openComplaints: number;
  lastNpsScore: number | null;
  lastNpsAt: string | null;
  typicalContactGapDays: number | null;
  beyondCadence: boolean;
  openPromises: number;
  overduePromises: number;
  lastDelightAt: string | null;
}

export const DEFAULT_POLICY: OracleContext['policy'] = {
  strategic: { quietAfter: 14, neglectedAfter: 30 },
  key: { quietAfter: 21, neglectedAfter: 45 },
  standard: { quietAfter: 30, neglectedAfter: 60 },
  'long-tail': { quietAfter: 60, neglectedAfter: 120 },
};

export const DEFAULT_CADENCE = { gaps: 8, factor: 3, minExtraDays: 7 };

/** The default context for a zone, so tests only spell out what they vary. */
export function defaultContext(timeZone = 'UTC'): OracleContext {
  return { timeZone, policy: DEFAULT_POLICY, cadence: DEFAULT_CADENCE };
}

const CONTACT_TYPES = new Set([
  'ContactLogged',
  'ComplaintReceived',
  'ComplaintAcknowledged',
  'ComplaintUpdateSent',
  'ComplaintResolved',
  'ComplimentReceived',
  'DelightMomentRecorded',
]);

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------
// Calendar dates in a zone, from Intl only (no date library, no platform code).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Creating a formatter is slow; the random tests ask thousands of times.
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

function localDateOfMs(ms: number, timeZone: string): string {
  const parts = formatter(timeZone).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  // Years below 1000 come unpadded; pad so the result is always YYYY-MM-DD.
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** YYYY-MM-DD of an instant in the zone. */
export function localDate(instantIso: string, timeZone: string): string {
  return localDateOfMs(Date.parse(instantIso), timeZone);
}

/** Milliseconds of UTC midnight at the start of a YYYY-MM-DD (ISO parse: right for years 0-99 too). */
function utcMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/**
 * ISO of the first instant of the next local day: an event counts for `day`
 * iff occurredAt < this. Found by bisection on milliseconds, so DST changes,
 * skipped days (Pacific/Apia 2011-12-30) and odd historic offsets need no
 * special cases. Assumes the local date never goes backwards within the two
 * days around `day` (true for every modern zone rule).
 */
export function endOfDay(day: string, timeZone: string): string {
  // Offsets stay within about ±15 h, so these bounds are on either side.
  let before = utcMidnight(day) - DAY_MS; // local date <= day
  let after = utcMidnight(day) + 2 * DAY_MS; // local date > day
  while (after - before > 1) {
    const mid = Math.floor((before + after) / 2);
    if (localDateOfMs(mid, timeZone) > day) after = mid;
    else before = mid;
  }
  return new Date(after).toISOString();
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS);
}

// ---------------------------------------------------------------------------
// Ordering helpers: "latest" is by occurredAt, ties broken by log position.

function compareEvents(a: OracleEvent, b: OracleEvent): number {
  const byTime = Date.parse(a.occurredAt) - Date.parse(b.occurredAt);
  if (byTime !== 0) return byTime;
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
}

function latest(events: OracleEvent[]): OracleEvent | undefined {
  return [...events].sort(compareEvents).at(-1);
}

function earliest(events: OracleEvent[]): OracleEvent | undefined {
  return [...events].sort(compareEvents)[0];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Keep one event per id (the first in log order): the store records an id only once. */
function distinctById(events: OracleEvent[]): OracleEvent[] {
  const byPosition = [...events].sort((a, b) =>
    a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  const seen = new Set<string>();
  return byPosition.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

// ---------------------------------------------------------------------------

/**
 * The relationship of one customer as of day `day` (YYYY-MM-DD in ctx.timeZone),
 * or null when it is not onboarded by the end of that day.
 */
export function oracleRelationship(
  allEvents: OracleEvent[],
  day: string,
  ctx: OracleContext,
  asOfInstant?: string,
): OracleRelationship | null {
  const end = endOfDay(day, ctx.timeZone);
  const endMs = Date.parse(end);
  const counting = distinctById(allEvents).filter((e) => Date.parse(e.occurredAt) < endMs);
  const ofType = (...types: string[]) => counting.filter((e) => types.includes(e.type));

  // Onboarding happens once: the earliest counts, every other one is ignored whole.
  const onboarding = earliest(ofType('CustomerOnboarded'));
  if (!onboarding) return null;
  const onboardedMs = Date.parse(onboarding.occurredAt);
  const others = counting.filter((e) => e.type !== 'CustomerOnboarded');
  const withOnboarding = (events: OracleEvent[]) => [onboarding, ...events];
  const sinceOnboarding = (events: OracleEvent[]) =>
    events.filter((e) => Date.parse(e.occurredAt) >= onboardedMs);

  // Profile: the latest event that sets the field.
  const tierEvent = latest(withOnboarding(others.filter((e) => e.type === 'CustomerTierChanged')))!;
  const tier = isString(tierEvent.data.tier) ? tierEvent.data.tier : 'standard';
  const managerEvent = latest(withOnboarding(others.filter((e) => e.type === 'AccountManagerAssigned')))!;
  const accountManagerId = isString(managerEvent.data.accountManagerId)
    ? managerEvent.data.accountManagerId
    : null;
  const profileUpdates = others.filter((e) => e.type === 'CustomerProfileUpdated');
  const nameEvent = latest(withOnboarding(profileUpdates.filter((e) => isString(e.data.name))))!;
  const name = isString(nameEvent.data.name) ? nameEvent.data.name : null;
  const segmentEvent = latest(withOnboarding(profileUpdates).filter((e) => isString(e.data.segment)));
  const segment = segmentEvent && isString(segmentEvent.data.segment) ? segmentEvent.data.segment : null;
  const valueEvent = latest(
    [onboarding, ...profileUpdates, ...ofType('ContractRenewed')].filter((e) =>
      isNumber(e.data.contractValue),
    ),
  );
  const contractValue =
    valueEvent && isNumber(valueEvent.data.contractValue) ? valueEvent.data.contractValue : null;

  // Silence: contacts dated before onboarding never count.
  const contacts = sinceOnboarding(others.filter((e) => CONTACT_TYPES.has(e.type)));
  const lastContact = latest(withOnboarding(contacts))!;
  const daysSinceContact = daysBetween(localDate(lastContact.occurredAt, ctx.timeZone), day);

  const lifecycle = latest(ofType('CustomerChurned', 'ContractRenewed', 'CustomerReactivated'));
  const thresholds = ctx.policy[tier as Tier] ?? ctx.policy.standard;
  const status: Status =
    lifecycle?.type === 'CustomerChurned'
      ? 'CHURNED'
      : daysSinceContact >= thresholds.neglectedAfter
        ? 'NEGLECTED'
        : daysSinceContact >= thresholds.quietAfter
          ? 'GOING_QUIET'
          : 'ACTIVE';

  const nps = latest(ofType('NpsResponded'));

  // Cadence: gaps between distinct local contact days, median of the most recent ones.
  const cadence = ctx.cadence ?? DEFAULT_CADENCE;
  const contactDays = [
    ...new Set(withOnboarding(contacts).map((e) => localDate(e.occurredAt, ctx.timeZone))),
  ].sort();
  const gaps = contactDays.slice(1).map((d, i) => daysBetween(contactDays[i]!, d));
  const typicalContactGapDays = gaps.length >= 3 ? median(gaps.slice(-cadence.gaps)) : null;
  const beyondCadence =
    status !== 'CHURNED' &&
    typicalContactGapDays !== null &&
    daysSinceContact >= cadence.factor * typicalContactGapDays &&
    daysSinceContact >= typicalContactGapDays + cadence.minExtraDays;

  return {
    customerId: onboarding.customerId,
    name,
    tier,
    accountManagerId,
    segment,
    contractValue,
    onboardedAt: onboarding.occurredAt,
    lastContactAt: lastContact.occurredAt,
    daysSinceContact,
    status,
    openComplaints: countOpenComplaints(counting),
    lastNpsScore: nps && isNumber(nps.data.score) ? nps.data.score : null,
    lastNpsAt: nps ? nps.occurredAt : null,
    typicalContactGapDays,
    beyondCadence,
    ...countPromises(counting, Date.parse(asOfInstant ?? end)),
    lastDelightAt: latest(sinceOnboarding(ofType('DelightMomentRecorded')))?.occurredAt ?? null,
  };
}

/** Received complaints whose latest resolve/reopen (if any) is not a resolve. */
function countOpenComplaints(counting: OracleEvent[]): number {
  const received = new Set(
    counting.filter((e) => e.type === 'ComplaintReceived').map((e) => e.data.complaintId),
  );
  let open = 0;
  for (const complaintId of received) {
    const last = latest(
      counting.filter(
        (e) =>
          (e.type === 'ComplaintResolved' || e.type === 'ComplaintReopened') &&
          e.data.complaintId === complaintId,
      ),
    );
    if (last?.type !== 'ComplaintResolved') open++;
  }
  return open;
}

/** Made and neither kept nor cancelled; overdue when also due before `asOfMs`. */
function countPromises(
  counting: OracleEvent[],
  asOfMs: number,
): { openPromises: number; overduePromises: number } {
  const closed = new Set(
    counting
      .filter((e) => e.type === 'PromiseKept' || e.type === 'PromiseCancelled')
      .map((e) => e.data.promiseId),
  );
  // A promiseId made twice (not expected) keeps its first making's dueAt, like onboarding.
  const made = new Map<unknown, OracleEvent>();
  for (const e of counting.filter((e) => e.type === 'PromiseMade').sort(compareEvents)) {
    if (!made.has(e.data.promiseId)) made.set(e.data.promiseId, e);
  }
  const open = [...made].filter(([promiseId]) => !closed.has(promiseId)).map(([, e]) => e);
  const overdue = open.filter((e) => Date.parse(String(e.data.dueAt)) < asOfMs);
  return { openPromises: open.length, overduePromises: overdue.length };
}

/**
 * Every onboarded customer as of `day`, by daysSinceContact descending, then
 * customerId ascending (plain string order, as the GraphQL contract says).
 */
export function oracleBook(events: OracleEvent[], day: string, ctx: OracleContext): OracleRelationship[] {
  const book = [...Map.groupBy(events, (e) => e.customerId).values()]
    .map((customerEvents) => oracleRelationship(customerEvents, day, ctx))
    .filter((r): r is OracleRelationship => r !== null);
  return book.sort(
    (a, b) =>
      b.daysSinceContact - a.daysSinceContact ||
      (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0),
  );
}
