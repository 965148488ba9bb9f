import type { IncomingEvent } from '@crh/domain';

/**
 * A deterministic, realistic-looking book of customers for demos and
 * benchmarks: onboardings, contacts on every channel, complaints with their
 * recovery, NPS answers, promises, compliments, delight moments and churn.
 * The same options always give the same events (ids included), so seeding
 * twice records nothing twice.
 */
export interface BookOptions {
  customers: number;
  managers: number;
  /** Roughly the events per customer over the whole book (sets the average rhythm of contact). */
  eventsPerCustomer: number;
  /** Last day of the history (UTC); the history spans `days` days before it. */
  endDate: string;
  days: number;
  seed: number;
  /** Share of events sent out of time order (late arrivals), 0..1. */
  lateShare?: number;
}

const TIERS = ['strategic', 'key', 'standard', 'standard', 'long-tail'] as const;
/** Gap between contacts per tier, relative to the average (the mix above averages 1). */
const TIER_RHYTHM: Record<(typeof TIERS)[number], number> = {
  strategic: 0.4,
  key: 0.6,
  standard: 1,
  'long-tail': 2,
};
const CHANNELS = ['call', 'email', 'meeting', 'visit', 'chat'] as const;
// Names a demo reader recognises as customers (the organisation is Dutch): one
// per customer index, without drawing from the random stream, so the ids and
// events of a seed stay what they were.
const NAME_FIRST = [
  'Bakkerij',
  'Van Dijk',
  'De Vries',
  'Jansen',
  'Bos',
  'Visser',
  'Smit',
  'Mulder',
  'Hoekstra',
  'Dekker',
  'Brouwer',
  'Koster',
  'Meijer',
  'Peters',
  'Willems',
  'Vos',
  'Kok',
  'Prins',
  'Post',
  'Kuipers',
  'Veenstra',
  'Hendriks',
  'Schouten',
  'Maas',
];
const NAME_SECOND = [
  'Logistiek',
  'Installatietechniek',
  'Advies',
  'Zorg',
  'Bouw',
  'Transport',
  'Automatisering',
  'Groothandel',
  'Makelaardij',
  'Techniek',
  'Catering',
  'Drukwerk',
  'Accountants',
  'Hoveniers',
  'Media',
  'Mode',
  'Metaal',
  'Energie',
  'Verhuur',
  'Keukens',
  'Schilders',
];
const NAME_FORM = ['B.V.', 'en Zonen', '& Co', 'Groep', 'B.V.', 'Nederland', 'Holding'];

/** `Visser Techniek B.V.`: distinct for the first 24 x 21 x 7 customers, then numbered. */
export function companyName(c: number): string {
  const first = NAME_FIRST[c % NAME_FIRST.length]!;
  const second = NAME_SECOND[Math.floor(c / NAME_FIRST.length) % NAME_SECOND.length]!;
  const form = NAME_FORM[Math.floor(c / (NAME_FIRST.length * NAME_SECOND.length)) % NAME_FORM.length]!;
  const round = Math.floor(c / (NAME_FIRST.length * NAME_SECOND.length * NAME_FORM.length));
  return `${first} ${second} ${form}${round > 0 ? ` ${round + 1}` : ''}`;
}
const DAY_MS = 86_400_000;
/** Share of relationships that fall silent once for 40-240 days. */
const DRIFT_SHARE = 0.3;

export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function generateBook(options: BookOptions): IncomingEvent[] {
  const random = createRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const end = Date.parse(`${options.endDate}T23:59:59Z`);
  const start = end - options.days * DAY_MS;
  const events: IncomingEvent[] = [];

  for (let c = 0; c < options.customers; c++) {
    const customerId = `cust-${String(c).padStart(6, '0')}`;
    const manager = `am-${Math.floor(random() * options.managers) + 1}`;
    const at = (t: number) => new Date(Math.min(t, end)).toISOString();
    const onboardedAt = start + random() * (end - start) * 0.3;
    const add = (type: IncomingEvent['type'], t: number, data: unknown, actorId = manager) =>
      events.push({
        id: uuidFrom(random),
        type,
        customerId,
        occurredAt: at(t),
        actorId,
        data,
      } as IncomingEvent);

    const tier = pick(TIERS);
    add('CustomerOnboarded', onboardedAt, {
      name: companyName(c),
      tier,
      accountManagerId: manager,
      contractValue: Math.round(random() * 100_000),
    });
    // Each relationship has its own rhythm around its tier's share of the
    // book's average gap (strategic customers are called more often than the
    // long tail), and is contacted until the book ends, unless it churns. Some drift once: a
    // long silence (the neglect crh exists to catch), after which the customer
    // is either won back or lost ("nobody called").
    const averageGap = (options.days / options.eventsPerCustomer) * 0.8; // a roll makes ~1.25 events
    const rhythmDays = averageGap * TIER_RHYTHM[tier] * (0.4 + random() * 1.2);
    let drift =
      random() < DRIFT_SHARE ? onboardedAt + random() * (end - onboardedAt) : Number.POSITIVE_INFINITY;
    let t = onboardedAt;
    for (let n = 1; ; n++) {
      t += (0.2 + random() * 1.6) * rhythmDays * DAY_MS;
      if (t >= drift) {
        t = drift + (40 + random() * 200) * DAY_MS;
        drift = Number.POSITIVE_INFINITY;
        if (t > end) break;
        if (random() < 0.4) {
          add('CustomerChurned', t, { reason: 'nobody called' });
          break;
        }
        // Won back: what happens next ends the silence, and the rhythm goes on.
      }
      if (t > end) break;
      const roll = random();
      if (roll < 0.6) {
        add('ContactLogged', t, {
          channel: pick(CHANNELS),
          direction: random() < 0.6 ? 'outbound' : 'inbound',
        });
      } else if (roll < 0.72) {
        add('NpsResponded', t, {
          score: Math.floor(random() * 11),
          touchpoint: pick(['onboarding', 'support', 'renewal']),
        });
      } else if (roll < 0.8) {
        const complaintId = `cmp-${n}`;
        add('ComplaintReceived', t, {
          complaintId,
          channel: pick(CHANNELS),
          severity: pick(['low', 'medium', 'high']),
        });
        add('ComplaintAcknowledged', t + random() * 2 * DAY_MS, { complaintId });
        if (random() < 0.8) add('ComplaintResolved', t + (1 + random() * 6) * DAY_MS, { complaintId });
        if (random() < 0.4)
          add('RecoveryGestureMade', t + 3 * DAY_MS, {
            complaintId,
            kind: pick(['flowers', 'discount', 'handwritten-card']),
          });
      } else if (roll < 0.87) {
        const promiseId = `prm-${n}`;
        add('PromiseMade', t, { promiseId, description: 'call back', dueAt: at(t + DAY_MS) });
        if (random() < 0.8) add('PromiseKept', t + random() * 1.5 * DAY_MS, { promiseId });
      } else if (roll < 0.93) {
        add('ComplimentReceived', t, { channel: pick(CHANNELS) });
      } else if (roll < 0.997) {
        add('DelightMomentRecorded', t, { kind: 'unprompted', description: 'handwritten thank-you' });
      } else {
        add('CustomerChurned', t, { reason: 'price' });
        break;
      }
    }
  }

  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  // Late arrivals: move a share of events to a later place in the sending order.
  const lateShare = options.lateShare ?? 0;
  for (let i = 0; i < events.length; i++) {
    if (random() < lateShare) {
      const j = Math.min(events.length - 1, i + Math.floor(random() * 5000));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
  }
  return events;
}

/** The benchmarks' log: `events` events over events/10 customers and 50 managers in the year to 2026-10-31, 5% sent late. */
export function benchLog(events: number): IncomingEvent[] {
  return generateBook({
    customers: Math.max(1, Math.round(events / 10)),
    managers: 50,
    eventsPerCustomer: 10,
    endDate: '2026-10-31',
    days: 365,
    seed: 42,
    lateShare: 0.05,
  }).slice(0, events);
}
