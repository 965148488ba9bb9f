// A seeded generator of random customer histories, valid per docs/api/events.md, for
// checking the platform's projections against the oracle (domain-oracle.ts).
// It aims at the corners: times near local midnight in Europe/Amsterdam and
// America/St_Johns, silences from none to 100+ days, repeated and back-dated
// onboardings, events dated before onboarding, ties in occurredAt, late
// arrival and re-sent duplicates.

/** An envelope (docs/api/events.md) as a client sends it (the store adds the position). */
export interface HistoryEvent {
  id: string;
  type: string;
  customerId: string;
  /** ISO 8601 UTC. */
  occurredAt: string;
  actorId?: string;
  data: Record<string, unknown>;
}

export interface RandomHistoryOptions {
  seed: number;
  customers: number;
  /** Events on the timeline from onboarding on; fewer when it leaves the window, a few more dated before it. */
  eventsPerCustomer: number;
  /** YYYY-MM-DD (UTC) of the first day of the window. */
  startDay: string;
  days: number;
  managers: number;
  /** Default 'cust-'. Also mixed into the event ids, so runs under other prefixes do not collide. */
  customerPrefix?: string;
}

export interface SendOrder {
  /** Every event once, in the order to send them: mostly by occurredAt, a share arriving late. */
  events: HistoryEvent[];
  /** Copies (same id, same content) to send again after `events`; the store must record nothing new. */
  duplicates: HistoryEvent[];
}

export interface RandomHistory {
  /** Every event once, by occurredAt. */
  events: HistoryEvent[];
  /** The default sending order, see sendingOrder. */
  sendOrder: SendOrder;
}

/** mulberry32: tiny, fast and good enough; our own so the sequence never changes under us. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Small helpers over one random source. */
class Dice {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks a key with probability proportional to its weight. */
  weighted<T extends string>(weights: Partial<Record<T, number>>): T {
    const entries = Object.entries(weights) as Array<[T, number]>;
    let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries.at(-1)![0];
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4'; // version 4
    hex[16] = this.pick(['8', '9', 'a', 'b']); // RFC 4122 variant
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIERS = ['strategic', 'key', 'standard', 'long-tail'] as const;
const CHANNELS = ['call', 'email', 'meeting', 'visit', 'chat', 'letter', 'social', 'other'] as const;
const GESTURES = ['apology', 'handwritten-card', 'flowers', 'gift', 'discount', 'refund', 'other'] as const;
const DELIGHTS = ['unprompted', 'exception', 'saying-no', 'complaint-recovery', 'other'] as const;
const NAMES = ['Bakkerij de Vries', 'Jansen BV', 'Atlantic Fisheries', 'Molenaar & Zn', 'Harbour Lights Ltd'];
const SEGMENTS = ['retail', 'wholesale', 'public', 'healthcare'];
const TOUCHPOINTS = ['onboarding', 'support', 'renewal', 'delivery'];
// Local midnight in UTC: Amsterdam 23:00 (CET) / 22:00 (CEST); St John's 03:30 (NST) / 02:30 (NDT).
const MIDNIGHTS_UTC = [22 * HOUR, 23 * HOUR, 26.5 * HOUR, 27.5 * HOUR];

/** A time on day `dayMs` (UTC midnight): often 21:00-03:30 UTC, sometimes a local midnight ±1 ms. */
function timeOnDay(dice: Dice, dayMs: number): number {
  const roll = dice.next();
  if (roll < 0.15) return dayMs + dice.pick(MIDNIGHTS_UTC) + dice.pick([-1, 0, 0, 1]);
  if (roll < 0.6) return dayMs + 21 * HOUR + dice.int(0, 6.5 * 60 - 1) * 60_000 + dice.int(0, 59) * 1000;
  return dayMs + dice.int(0, 24 * 60 - 1) * 60_000 + dice.int(0, 999);
}

/** Days to the next event: same day to 100+ days, so every status occurs. */
function gapDays(dice: Dice): number {
  const kind = dice.weighted({ same: 25, few: 25, weeks: 20, month: 18, long: 12 });
  if (kind === 'same') return 0;
  if (kind === 'few') return dice.int(1, 3);
  if (kind === 'weeks') return dice.int(4, 14);
  if (kind === 'month') return dice.int(15, 45);
  return dice.int(46, 130);
}

/** An RFC 3339 rendering of `ms`, sometimes with an offset, so parsers are exercised. */
function rfc3339(dice: Dice, ms: number): string {
  if (dice.chance(0.7)) return new Date(ms).toISOString();
  const offsetMinutes = dice.pick([60, 120, -210, -150, 330]);
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Deterministic for a seed. Events are returned by occurredAt; `sendOrder`
 * is the default way to send them (late arrivals and duplicates included).
 */
export function randomHistory(options: RandomHistoryOptions): RandomHistory {
  const prefix = options.customerPrefix ?? 'cust-';
  const dice = new Dice(options.seed);
  // Ids come from their own stream, mixed with the prefix: the same seed under
  // another prefix gives the same history with fresh ids.
  const ids = new Dice(options.seed ^ hashString(prefix));
  const events: HistoryEvent[] = [];
  const forcedLate = new Set<string>();
  const width = String(options.customers).length;
  // Onboarding variants come from a rotating schedule (not dice) so that any
  // ten customers in a row include each of them at least once.
  const shift = dice.int(0, ONBOARDING_SCHEDULE.length - 1);
  for (let c = 0; c < options.customers; c++) {
    const customerId = `${prefix}${String(c + 1).padStart(width, '0')}`;
    const variant = ONBOARDING_SCHEDULE[(c + shift) % ONBOARDING_SCHEDULE.length]!;
    const history = customerHistory(dice, ids, customerId, variant, options);
    events.push(...history.events);
    for (const id of history.forcedLate) forcedLate.add(id);
  }
  const byTime = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt) || a.index - b.index)
    .map(({ event }) => event);
  return { events: byTime, sendOrder: sendingOrder(byTime, { seed: options.seed, forcedLate }) };
}

/** once: the usual; never: events without onboarding; later/earlier: a second onboarding dated after/before the first. */
type OnboardingVariant = 'once' | 'never' | 'later' | 'earlier';
const ONBOARDING_SCHEDULE: OnboardingVariant[] = [
  'once',
  'once',
  'later',
  'once',
  'never',
  'once',
  'earlier',
  'once',
  'once',
  'once',
];

interface CustomerState {
  complaints: Array<{ id: string; resolved: boolean; receivedMs: number }>;
  promises: Array<{ id: string; madeMs: number }>;
  churned: boolean;
}

function customerHistory(
  dice: Dice,
  ids: Dice,
  customerId: string,
  variant: OnboardingVariant,
  options: RandomHistoryOptions,
): { events: HistoryEvent[]; forcedLate: string[] } {
  const startMs = Date.parse(`${options.startDay}T00:00:00.000Z`);
  const endMs = startMs + options.days * DAY;
  const manager = () => `am-${dice.int(1, options.managers)}`;
  const events: HistoryEvent[] = [];
  const forcedLate: string[] = [];
  const add = (type: string, ms: number, data: Record<string, unknown>, actorId?: string) => {
    const event: HistoryEvent = {
      id: ids.uuid(),
      type,
      customerId,
      occurredAt: new Date(ms).toISOString(),
      data,
    };
    if (actorId !== undefined) event.actorId = actorId;
    events.push(event);
    return event;
  };
  const onboardingData = () => {
    const data: Record<string, unknown> = { name: dice.pick(NAMES), accountManagerId: manager() };
    if (dice.chance(0.8)) data.tier = dice.pick(TIERS); // else the default, standard
    if (dice.chance(0.5)) data.segment = dice.pick(SEGMENTS);
    if (dice.chance(0.5)) data.contractValue = dice.pick([0, 1200, 5000.5, dice.int(1, 100_000)]);
    return data;
  };

  // Onboarding mostly in the first third of the window.
  const onboardedMs = timeOnDay(dice, startMs + dice.int(0, Math.max(0, Math.floor(options.days / 3))) * DAY);
  if (variant !== 'never') add('CustomerOnboarded', onboardedMs, onboardingData(), manager());
  if (variant === 'later')
    add('CustomerOnboarded', onboardedMs + dice.int(0, 40) * DAY + HOUR, onboardingData());
  if (variant === 'earlier') {
    // Dated before the first one but sent late: it becomes the onboarding that counts.
    forcedLate.push(add('CustomerOnboarded', onboardedMs - dice.int(1, 30) * HOUR, onboardingData()).id);
  }

  // A few facts dated before onboarding: they count (churn, complaints, NPS) or not (contacts).
  if (dice.chance(0.25)) {
    for (let i = dice.int(1, 2); i > 0; i--) {
      const ms = onboardedMs - dice.int(1, 20 * 24) * HOUR;
      const type = dice.pick([
        'ContactLogged',
        'NpsResponded',
        'ComplaintReceived',
        'CustomerChurned',
        'DelightMomentRecorded',
      ]);
      if (type === 'ContactLogged') add(type, ms, { channel: dice.pick(CHANNELS), direction: 'inbound' });
      if (type === 'NpsResponded') add(type, ms, { score: dice.int(0, 10) });
      if (type === 'ComplaintReceived')
        add(type, ms, { complaintId: `c-pre-${ids.uuid().slice(0, 8)}`, channel: 'email' });
      if (type === 'CustomerChurned') add(type, ms, {});
      if (type === 'DelightMomentRecorded')
        add(type, ms, { kind: 'unprompted', description: 'early bird' }, manager());
    }
  }

  const state: CustomerState = { complaints: [], promises: [], churned: false };
  const pace = dice.pick([0.3, 0.6, 1, 1.5]); // some customers are chatty, some quiet
  let ms = onboardedMs;
  for (let i = 1; i < options.eventsPerCustomer; i++) {
    const gap = Math.round(gapDays(dice) * pace);
    ms =
      gap === 0 ? ms + dice.int(1, 6 * 60) * 60_000 : timeOnDay(dice, Math.floor(ms / DAY) * DAY + gap * DAY);
    if (ms >= endMs) break;
    // Now and then an exact tie with the previous event (position decides) or a back-dated event.
    const previous = events.at(-1);
    let at = ms;
    if (previous && dice.chance(0.04)) at = Date.parse(previous.occurredAt);
    else if (dice.chance(0.04)) at = ms - dice.int(1, 15 * 24) * HOUR;
    nextEvent(dice, ids, state, at, add, manager);
  }
  return { events, forcedLate };
}

function nextEvent(
  dice: Dice,
  ids: Dice,
  state: CustomerState,
  ms: number,
  add: (type: string, ms: number, data: Record<string, unknown>, actorId?: string) => unknown,
  manager: () => string,
): void {
  const open = state.complaints.filter((c) => !c.resolved);
  const resolved = state.complaints.filter((c) => c.resolved);
  const type = dice.weighted({
    ContactLogged: 30,
    ComplaintReceived: 6,
    ComplaintAcknowledged: open.length ? 5 : 0,
    ComplaintUpdateSent: open.length ? 4 : 0,
    ComplaintResolved: open.length ? 5 : 0,
    ComplaintReopened: resolved.length ? 2 : 0,
    RecoveryGestureMade: state.complaints.length ? 2 : 0,
    ComplaintFeedbackReceived: resolved.length ? 1 : 0,
    ComplimentReceived: 4,
    DelightMomentRecorded: 5,
    NpsResponded: 6,
    PromiseMade: 5,
    PromiseKept: state.promises.length ? 4 : 0,
    PromiseCancelled: state.promises.length ? 1 : 0,
    CustomerTierChanged: 2,
    AccountManagerAssigned: 2,
    CustomerProfileUpdated: 2,
    CustomerChurned: state.churned ? 0 : 2,
    ContractRenewed: 2,
    CustomerReactivated: state.churned ? 3 : 0.3,
  });
  const anyComplaint = () => dice.pick(state.complaints).id;
  switch (type) {
    case 'ContactLogged': {
      const data: Record<string, unknown> = {
        channel: dice.pick(CHANNELS),
        direction: dice.pick(['inbound', 'outbound']),
      };
      if (dice.chance(0.3)) data.touchpoint = dice.pick(TOUCHPOINTS);
      if (dice.chance(0.3)) data.summary = 'talked about the next order';
      add(type, ms, data, manager());
      return;
    }
    case 'ComplaintReceived': {
      // Rarely the same complaint is received twice: still one complaint.
      const repeat = state.complaints.length > 0 && dice.chance(0.1);
      const complaintId = repeat ? anyComplaint() : `c-${ids.uuid().slice(0, 8)}`;
      if (!repeat) state.complaints.push({ id: complaintId, resolved: false, receivedMs: ms });
      const data: Record<string, unknown> = { complaintId, channel: dice.pick(CHANNELS) };
      if (dice.chance(0.5)) data.severity = dice.pick(['low', 'medium', 'high']);
      if (dice.chance(0.3)) data.category = 'delivery';
      if (dice.chance(0.3)) data.summary = 'late delivery';
      add(type, ms, data);
      return;
    }
    case 'ComplaintAcknowledged':
      add(type, ms, { complaintId: dice.pick(open).id }, manager());
      return;
    case 'ComplaintUpdateSent':
      add(
        type,
        ms,
        dice.chance(0.5)
          ? { complaintId: dice.pick(open).id, message: 'on it' }
          : { complaintId: dice.pick(open).id },
      );
      return;
    case 'ComplaintResolved': {
      const complaint = dice.pick(open);
      complaint.resolved = true;
      // Now and then dated before its receipt (a back-filled record): it still closes the complaint.
      const at = dice.chance(0.15) ? complaint.receivedMs - dice.int(1, 48) * HOUR : ms;
      add(
        type,
        at,
        dice.chance(0.5)
          ? { complaintId: complaint.id, resolution: 'replaced' }
          : { complaintId: complaint.id },
      );
      return;
    }
    case 'ComplaintReopened': {
      const complaint = dice.pick(resolved);
      complaint.resolved = false;
      add(
        type,
        ms,
        dice.chance(0.5)
          ? { complaintId: complaint.id, reason: 'broke again' }
          : { complaintId: complaint.id },
      );
      return;
    }
    case 'RecoveryGestureMade':
      add(type, ms, { complaintId: anyComplaint(), kind: dice.pick(GESTURES) }, manager());
      return;
    case 'ComplaintFeedbackReceived':
      add(type, ms, { complaintId: dice.pick(resolved).id, satisfied: dice.chance(0.7) });
      return;
    case 'ComplimentReceived':
      add(
        type,
        ms,
        dice.chance(0.5)
          ? { channel: dice.pick(CHANNELS), about: 'service' }
          : { channel: dice.pick(CHANNELS) },
      );
      return;
    case 'DelightMomentRecorded': {
      const data: Record<string, unknown> = { kind: dice.pick(DELIGHTS), description: 'a handwritten card' };
      if (dice.chance(0.3)) data.declaredAsException = dice.chance(0.5);
      add(type, ms, data, manager());
      return;
    }
    case 'NpsResponded':
      add(
        type,
        ms,
        dice.chance(0.5)
          ? { score: dice.int(0, 10), touchpoint: dice.pick(TOUCHPOINTS) }
          : { score: dice.int(0, 10) },
      );
      return;
    case 'PromiseMade': {
      const promiseId = `p-${ids.uuid().slice(0, 8)}`;
      state.promises.push({ id: promiseId, madeMs: ms });
      // Due from an hour to three weeks out: kept events land both before and after it.
      const dueAt = rfc3339(dice, ms + dice.int(1, 21 * 24) * HOUR);
      add(type, ms, { promiseId, description: 'call back', dueAt }, manager());
      return;
    }
    case 'PromiseKept':
    case 'PromiseCancelled': {
      const promise = state.promises.splice(dice.int(0, state.promises.length - 1), 1)[0]!;
      const promiseId = promise.id;
      // Now and then dated before the promise was made: it still closes it.
      const at = dice.chance(0.2) ? promise.madeMs - dice.int(1, 48) * HOUR : ms;
      add(
        type,
        at,
        type === 'PromiseCancelled' && dice.chance(0.5) ? { promiseId, reason: 'not needed' } : { promiseId },
      );
      return;
    }
    case 'CustomerTierChanged':
      add(type, ms, { tier: dice.pick(TIERS) });
      return;
    case 'AccountManagerAssigned':
      add(type, ms, { accountManagerId: manager() });
      return;
    case 'CustomerProfileUpdated': {
      const data: Record<string, unknown> = {};
      if (dice.chance(0.5)) data.name = dice.pick(NAMES);
      if (dice.chance(0.5)) data.segment = dice.pick(SEGMENTS);
      if (dice.chance(0.5) || Object.keys(data).length === 0) data.contractValue = dice.int(0, 50_000);
      add(type, ms, data);
      return;
    }
    case 'CustomerChurned':
      state.churned = true;
      add(type, ms, dice.chance(0.5) ? { reason: 'price' } : {});
      return;
    case 'ContractRenewed':
      state.churned = false;
      add(type, ms, dice.chance(0.5) ? { contractValue: dice.int(0, 80_000) } : {});
      return;
    case 'CustomerReactivated':
      state.churned = false;
      add(type, ms, {});
      return;
  }
}

/**
 * A sending order for `events` (given by occurredAt): a share `lateShare`
 * (default 0.2) of them, plus every id in `forcedLate`, is held back by a
 * random number of places, so it arrives after events that happened later.
 * `duplicateShare` (default 0.05) of the events is copied into `duplicates`,
 * to be sent again after the rest.
 */
export function sendingOrder(
  events: HistoryEvent[],
  options: { seed: number; lateShare?: number; duplicateShare?: number; forcedLate?: ReadonlySet<string> },
): SendOrder {
  const dice = new Dice(options.seed ^ 0x5eed);
  const lateShare = options.lateShare ?? 0.2;
  const duplicateShare = options.duplicateShare ?? 0.05;
  const maxDelay = Math.max(1, Math.floor(events.length / 3));
  const keyed = events.map((event, index) => {
    const late = options.forcedLate?.has(event.id) || dice.chance(lateShare);
    return { event, key: late ? index + dice.int(1, maxDelay) + 0.5 : index };
  });
  const ordered = keyed.sort((a, b) => a.key - b.key).map(({ event }) => event);
  const duplicates = ordered.filter(() => dice.chance(duplicateShare)).map((event) => structuredClone(event));
  // Resent in a scrambled order, as a retrying client would.
  for (let i = duplicates.length - 1; i > 0; i--) {
    const j = dice.int(0, i);
    [duplicates[i], duplicates[j]] = [duplicates[j]!, duplicates[i]!];
  }
  return { events: ordered, duplicates };
}
