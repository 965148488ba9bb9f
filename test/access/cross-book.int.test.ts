import { addDays, type LocalDate } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessGateway,
  type GraphQLAnswer,
  openAccessGateway,
  type Probe,
} from '../support/access-gateway.ts';

// An account manager never sees, by any field, list, KPI, subscription
// event or error message, a relationship outside its book: the
// relationships whose manager, as of the day asked, is its manager id. The
// books come from the seeded histories below, reassignments included.

const ME = 'am-a';
const OTHER = 'am-b';
const NOW = new Date('2026-06-01T12:00:00Z');
const TODAY: LocalDate = '2026-06-01';

interface History {
  tier?: 'strategic' | 'key' | 'standard';
  /** Onboarding on 2026-01-05, then reassignments: [day, manager]. */
  managers: [LocalDate, string][];
  /** Days with a contact. */
  contacts: LocalDate[];
  /** Two NPS answers: 10 April and 15 May. */
  nps: [number, number];
  /** Delight moments: [day, employee]. */
  delight: [LocalDate, string][];
}

const HISTORIES: Record<string, History> = {
  'x-a1': {
    managers: [['2026-01-05', ME]],
    contacts: ['2026-05-28'],
    nps: [9, 8],
    delight: [['2026-02-15', 'emp-a1']],
  },
  'x-a2': { tier: 'strategic', managers: [['2026-01-05', ME]], contacts: [], nps: [9, 9], delight: [] },
  'x-b1': {
    managers: [['2026-01-05', OTHER]],
    contacts: ['2026-05-29'],
    nps: [10, 4],
    delight: [['2026-02-15', 'emp-b1']],
  },
  'x-b2': { tier: 'strategic', managers: [['2026-01-05', OTHER]], contacts: [], nps: [8, 8], delight: [] },
  // Reassigned to the other manager on 1 March.
  'x-moved': {
    managers: [
      ['2026-01-05', ME],
      ['2026-03-01', OTHER],
    ],
    contacts: ['2026-04-01'],
    nps: [10, 1],
    delight: [
      ['2026-02-15', 'emp-moved-then'],
      [TODAY, 'emp-moved-now'],
    ],
  },
  // Reassigned away on 1 February and back on 1 April.
  'x-back': {
    managers: [
      ['2026-01-05', ME],
      ['2026-02-01', OTHER],
      ['2026-04-01', ME],
    ],
    contacts: ['2026-03-10'],
    nps: [9, 2],
    delight: [
      ['2026-02-15', 'emp-back-then'],
      [TODAY, 'emp-back-now'],
    ],
  },
  // The other manager's until this morning.
  'x-today': {
    managers: [
      ['2026-01-05', OTHER],
      [TODAY, ME],
    ],
    contacts: ['2026-05-01'],
    nps: [9, 4],
    delight: [[TODAY, 'emp-today']],
  },
};
const CUSTOMERS = Object.keys(HISTORIES);
const DAYS: LocalDate[] = ['2026-01-20', '2026-02-15', '2026-03-15', '2026-04-15', '2026-05-20', TODAY];

/** The oracle: a customer's manager as of the end of a day (null before onboarding). */
function managerOn(customerId: string, day: LocalDate): string | null {
  let manager: string | null = null;
  for (const [from, who] of HISTORIES[customerId]!.managers) if (from <= day) manager = who;
  return manager;
}
const bookOn = (manager: string, day: LocalDate) =>
  CUSTOMERS.filter((c) => managerOn(c, day) === manager).sort();

function seedEvents(): AppendEvent[] {
  const events: AppendEvent[] = [];
  for (const [id, h] of Object.entries(HISTORIES)) {
    const [[onboarded, first], ...moves] = h.managers as [[LocalDate, string], ...[LocalDate, string][]];
    events.push(
      testEvent(id, 'CustomerOnboarded', `${onboarded}T08:00:00Z`, {
        name: id,
        tier: h.tier ?? 'standard',
        accountManagerId: first,
      }),
    );
    for (const [day, manager] of moves) {
      events.push(testEvent(id, 'AccountManagerAssigned', `${day}T07:00:00Z`, { accountManagerId: manager }));
    }
    for (const day of h.contacts) {
      events.push(
        testEvent(id, 'ContactLogged', `${day}T10:00:00Z`, { channel: 'call', direction: 'outbound' }),
      );
    }
    events.push(
      testEvent(id, 'NpsResponded', '2026-04-10T10:00:00Z', { score: h.nps[0] }),
      testEvent(id, 'NpsResponded', '2026-05-15T10:00:00Z', { score: h.nps[1] }),
      testEvent(id, 'ComplaintReceived', '2026-05-10T09:00:00Z', {
        complaintId: `k-${id}`,
        channel: 'email',
      }),
      testEvent(id, 'PromiseMade', '2026-05-10T10:00:00Z', {
        promiseId: `p-${id}`,
        description: 'send the offer',
        dueAt: '2026-06-20T10:00:00Z',
      }),
    );
    for (const [day, employee] of h.delight) {
      events.push(
        testEvent(
          id,
          'DelightMomentRecorded',
          `${day}T11:00:00Z`,
          { kind: 'unprompted', description: 'surprise' },
          employee,
        ),
      );
    }
  }
  return events;
}

describe('cross-book: an account manager sees exactly its own book', () => {
  let platform: AccessGateway;
  let me: string;
  let admin: string;

  beforeAll(async () => {
    platform = await openAccessGateway({ now: NOW });
    await platform.record(seedEvents());
    await platform.projector.announceDeadlines(); // the mark: deadlines up to now are announced
    me = await platform.auth.bearer('account-manager', { managerId: ME });
    admin = await platform.auth.bearer('admin');
  });
  afterAll(() => platform?.close());

  const ask = async (authorization: string, query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await platform.post(authorization, query, variables);
    expect(status).toBe(200);
    return body;
  };
  /** What the account manager gets, checked to name no customer outside `allowed` and not the other manager. */
  const mine = async (allowed: readonly string[], query: string, variables: Record<string, unknown> = {}) => {
    const body = await ask(me, query, variables);
    expectOnly(body, allowed);
    return body;
  };
  const ids = (list: unknown, pick: (item: never) => string = (n: { customerId: string }) => n.customerId) =>
    [...new Set((list as never[]).map(pick))].sort();

  it('has a book that changes with the day asked (the fixture is what the test says)', () => {
    expect(bookOn(ME, '2026-02-15')).toEqual(['x-a1', 'x-a2', 'x-moved']);
    expect(bookOn(ME, TODAY)).toEqual(['x-a1', 'x-a2', 'x-back', 'x-today']);
  });

  it.each(DAYS)('lists, KPIs, NPS, fans and outliers as of %s hold its book only', async (day) => {
    const book = bookOn(ME, day);
    const RELATIONSHIPS = `query ($day: Date, $m: ID) { relationships(asOf: $day, accountManagerId: $m, first: 100) {
      totalCount edges { node { customerId accountManagerId } } } }`;
    const own = await mine(book, RELATIONSHIPS, { day });
    const page = field<{ totalCount: number; edges: { node: { customerId: string } }[] }>(
      own,
      'relationships',
    );
    expect(ids(page.edges.map((e) => e.node))).toEqual(book);
    expect(page.totalCount).toBe(book.length);
    // The same as a reader of every book sees of this manager.
    expect(own).toEqual(await ask(admin, RELATIONSHIPS, { day, m: ME }));
    // Another manager's book, asked for by name: refused, with nothing of it.
    const other = await mine([], RELATIONSHIPS, { day, m: OTHER });
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(other.data).toBeNull();

    const NEGLECTED = `query ($day: Date!, $m: ID) { neglectedRelationships(date: $day, accountManagerId: $m) { customerId } }`;
    const neglected = await mine(book, NEGLECTED, { day });
    expect(neglected).toEqual(await ask(admin, NEGLECTED, { day, m: ME }));

    const CALLS = `query ($day: Date, $m: ID!) { todaysCalls(accountManagerId: $m, date: $day, first: 50) {
      reason relationship { customerId } } }`;
    const calls = await mine(book, CALLS, { day, m: ME });
    expect(calls).toEqual(await ask(admin, CALLS, { day, m: ME }));
    expect((await mine([], CALLS, { day, m: OTHER })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const KPIS = `query ($day: Date!, $m: ID) { dailyKpis(from: $day, to: $day, accountManagerId: $m) {
      date activeCustomers neglected npsResponses promoters detractors delightMoments complaintsReceived promisesDue } }`;
    const kpis = await mine(book, KPIS, { day });
    expect(kpis).toEqual(await ask(admin, KPIS, { day, m: ME }));
    expect(field<{ activeCustomers: number }[]>(kpis, 'dailyKpis')[0]?.activeCustomers).toBe(book.length);
    expect((await mine([], KPIS, { day, m: OTHER })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    for (const groupBy of ['ACCOUNT_MANAGER', 'TIER', 'TOUCHPOINT', 'DAY']) {
      const NPS = `query ($day: Date!, $m: ID) { nps(from: "2026-01-01", to: $day, groupBy: ${groupBy}, accountManagerId: $m) {
        key responses promoters detractors } }`;
      const nps = await mine(book, NPS, { day });
      expect(nps).toEqual(await ask(admin, NPS, { day, m: ME }));
    }

    // Fans: the employees with a delight moment on the day with a customer then in the book.
    const fans = await mine(book, 'query ($day: Date) { fans(date: $day) { employeeId moments } }', { day });
    const expectedFans = book.flatMap((c) =>
      HISTORIES[c]!.delight.filter(([d]) => d === day).map(([, e]) => e),
    );
    expect(ids(fans.data?.fans, (f: { employeeId: string }) => f.employeeId)).toEqual(expectedFans.sort());

    // Outliers among its customers as of the day, ranked among themselves.
    const outliers = await mine(
      book,
      'query ($day: Date) { outliers(date: $day, metric: NPS_DROP) { customerId norm } }',
      {
        day,
      },
    );
    for (const o of field<{ customerId: string }[]>(outliers, 'outliers'))
      expect(book).toContain(o.customerId);
    const compared = await mine(
      [],
      'query ($day: Date) { outliers(date: $day, metric: NEGLECTED_SHARE) { id } }',
      { day },
    );
    expect(compared.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('ranks its NPS drops among its own customers (the norm of its book)', async () => {
    const book = bookOn(ME, TODAY);
    const drops = book.map((c) => HISTORIES[c]!.nps[0] - HISTORIES[c]!.nps[1]).sort((a, b) => a - b);
    const norm =
      drops.length % 2
        ? drops[(drops.length - 1) / 2]!
        : (drops[drops.length / 2 - 1]! + drops[drops.length / 2]!) / 2;
    const { data } = await mine(book, '{ outliers(metric: NPS_DROP) { customerId norm value } }');
    const outliers = data?.outliers as { customerId: string; norm: number; value: number }[];
    expect(outliers.length).toBeGreaterThan(0);
    for (const o of outliers) {
      expect(o.norm).toBe(norm);
      expect(o.value).toBeGreaterThan(norm);
    }
  });

  it.each(DAYS)(
    'answers relationship(customerId) as of %s only inside its book, else as for no customer',
    async (day) => {
      const book = bookOn(ME, day);
      const ONE = `query ($id: ID!, $day: Date) { relationship(customerId: $id, asOf: $day) {
      customerId accountManagerId complaints { edges { node { complaintId } } } promises { edges { node { promiseId } } } } }`;
      const nobody = await ask(me, ONE, { id: 'x-nobody', day });
      expect(nobody).toEqual({ data: { relationship: null } });
      for (const customerId of CUSTOMERS) {
        const answer = await ask(me, ONE, { id: customerId, day });
        if (book.includes(customerId)) {
          expect(answer.data?.relationship).toMatchObject({ customerId, accountManagerId: ME });
          expect(answer).toEqual(await ask(admin, ONE, { id: customerId, day }));
        } else {
          // Not in the book that day (the other manager's, or not yet onboarded): exactly as for nobody.
          expect(answer, `${customerId} on ${day}`).toEqual(nobody);
        }
      }
    },
  );

  it("lists complaints and promises of the customers in its book now (the lists' manager)", async () => {
    const book = bookOn(ME, TODAY);
    const COMPLAINTS =
      'query ($m: ID) { complaints(accountManagerId: $m) { edges { node { customerId complaintId } } } }';
    const complaints = await mine(book, COMPLAINTS);
    expect(ids(field<Page>(complaints, 'complaints').edges.map((e) => e.node))).toEqual(book);
    expect(complaints).toEqual(await ask(admin, COMPLAINTS, { m: ME }));
    const PROMISES =
      'query ($m: ID) { promises(accountManagerId: $m) { edges { node { customerId promiseId } } } }';
    const promises = await mine(book, PROMISES);
    expect(ids(field<Page>(promises, 'promises').edges.map((e) => e.node))).toEqual(book);
    expect(promises).toEqual(await ask(admin, PROMISES, { m: ME }));
    for (const q of [COMPLAINTS, PROMISES]) {
      expect((await mine([], q, { m: OTHER })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  describe.each(['sse', 'ws'] as const)('subscriptions over %s', (transport) => {
    it('deliver only its book as of today: events, status changes, KPIs and missed deadlines', async () => {
      const open = (authorization: string, query: string, variables?: Record<string, unknown>) =>
        platform[transport](authorization, query, variables);
      const EVENTS = 'subscription ($id: ID) { eventRecorded(customerId: $id) { customerId type id } }';
      const events = await open(me, EVENTS);
      const foreign = await open(me, EVENTS, { id: 'x-b1' });
      const everything = await open(admin, EVENTS);
      const statuses = await open(
        me,
        'subscription { relationshipStatusChanged { customerId accountManagerId } }',
      );
      const kpis = await open(me, 'subscription { dailyKpisUpdated { date activeCustomers neglected } }');
      const deadlines = await open(
        me,
        'subscription { deadlineMissed { customerId accountManagerId subjectId } }',
      );
      const allDeadlines = await open(admin, 'subscription { deadlineMissed { customerId subjectId } }');
      const probes = [events, foreign, everything, statuses, kpis, deadlines, allDeadlines];
      try {
        await platform.subscriptions(probes.length);
        const run = transport; // ids unique per run
        const contact = (id: string) =>
          testEvent(id, 'ContactLogged', `${TODAY}T11:00:00Z`, { channel: 'email', direction: 'inbound' });
        // Others' customers first, its own after: were a foreign one to leak, it would be there by the end.
        const steps: AppendEvent[][] = [
          CUSTOMERS.filter((c) => managerOn(c, TODAY) === OTHER).map(contact),
          CUSTOMERS.filter((c) => managerOn(c, TODAY) === ME).map(contact),
          [
            testEvent(`x-new-${run}-a`, 'CustomerOnboarded', `${TODAY}T11:30:00Z`, {
              name: 'n',
              accountManagerId: ME,
            }),
            testEvent(`x-new-${run}-b`, 'CustomerOnboarded', `${TODAY}T11:30:00Z`, {
              name: 'n',
              accountManagerId: OTHER,
            }),
          ],
          // Deadlines already past when learned of: announced at once, each to its manager.
          ['x-b1', 'x-a1'].map((id) =>
            testEvent(id, 'PromiseMade', `${TODAY}T09:00:00Z`, {
              promiseId: `late-${run}-${id}`,
              description: 'late',
              dueAt: `${TODAY}T10:00:00Z`,
            }),
          ),
        ];
        const owner = new Map<string, string>([
          [`x-new-${run}-a`, ME],
          [`x-new-${run}-b`, OTHER],
        ]);
        const managerNow = (c: string) => owner.get(c) ?? managerOn(c, TODAY);
        const posted = steps.flat();
        for (const step of steps) await platform.record(step);

        // Everything reached the hub (a reader of every book got it all) ...
        for (const e of posted) await everything.next((r) => eventOf(r)?.id === e.id);
        // ... and the account manager exactly the events of its book, in order.
        const expected = posted.filter((e) => managerNow(e.customerId) === ME);
        await events.next((r) => eventOf(r)?.id === expected.at(-1)!.id);
        await platform.gateway.live.settled();
        await new Promise((r) => setTimeout(r, 200));
        expect(events.results.map((r) => eventOf(r)?.id)).toEqual(expected.map((e) => e.id));
        // eventRecorded(customerId) of someone else's customer: accepted, and silent.
        expect(foreign.results).toEqual([]);

        await statuses.next((r) => statusOf(r)?.customerId === `x-new-${run}-a`);
        for (const r of statuses.results) expect(statusOf(r)?.accountManagerId).toBe(ME);

        const [today] = field<object[]>(
          await ask(me, `{ dailyKpis(from: "${TODAY}", to: "${TODAY}") { date activeCustomers neglected } }`),
          'dailyKpis',
        );
        // Today's KPIs as its own query answers them (which equal its book's, above).
        await kpis.next((r) => JSON.stringify(r.data?.dailyKpisUpdated) === JSON.stringify(today));

        await allDeadlines.next((r) => JSON.stringify(r).includes(`late-${run}-x-b1`));
        await deadlines.next((r) => JSON.stringify(r).includes(`late-${run}-x-a1`));
        await new Promise((r) => setTimeout(r, 200));
        for (const r of deadlines.results) {
          expect(r.data?.deadlineMissed).toMatchObject({ customerId: 'x-a1', accountManagerId: ME });
        }
        for (const probe of [events, statuses, kpis, deadlines, foreign]) {
          for (const r of probe.results) expectOnly(r, [...bookOn(ME, TODAY), `x-new-${run}-a`]);
        }
      } finally {
        for (const probe of probes) probe.close();
        for (let i = 0; platform.gateway.live.subscriptions() > 0 && i < 250; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
  });

  it('follows a reassignment made today at once: events of a customer that left stop, of one that came start', async () => {
    const events: Probe = await platform.sse(me, 'subscription { eventRecorded { customerId id } }');
    try {
      await platform.subscriptions(1);
      const leaving = 'x-a2';
      const coming = 'x-b2';
      const contact = (id: string, at: string) =>
        testEvent(id, 'ContactLogged', at, { channel: 'visit', direction: 'outbound' });
      await platform.record([
        testEvent(leaving, 'AccountManagerAssigned', `${TODAY}T11:40:00Z`, { accountManagerId: OTHER }),
        testEvent(coming, 'AccountManagerAssigned', `${TODAY}T11:40:00Z`, { accountManagerId: ME }),
      ]);
      const after = [contact(leaving, `${TODAY}T11:45:00Z`), contact(coming, `${TODAY}T11:45:00Z`)];
      await platform.record(after);
      await events.next((r) => eventOf(r)?.id === after[1]!.id);
      await platform.gateway.live.settled();
      await new Promise((r) => setTimeout(r, 200));
      // The reassignments' own batch is judged by the books after it: the one that came is announced, not the one that left.
      expect(events.results.map((r) => eventOf(r)?.customerId)).toEqual([coming, coming]);
      // Queries agree: today's book has the newcomer, not the leaver; yesterday's the other way round.
      const book = async (day: LocalDate) =>
        ids(
          field<Page>(
            await ask(me, `{ relationships(asOf: "${day}") { edges { node { customerId } } } }`),
            'relationships',
          ).edges.map((e) => e.node),
        );
      expect(await book(TODAY)).toContain(coming);
      expect(await book(TODAY)).not.toContain(leaving);
      const yesterday = await book(addDays(TODAY, -1));
      expect(yesterday).toContain(leaving);
      expect(yesterday).not.toContain(coming);
    } finally {
      events.close();
    }
  });
});

type Page = { edges: { node: { customerId: string } }[] };

/** A field of an answer that must be there. */
function field<T>(answer: GraphQLAnswer, name: string): T {
  const value = answer.data?.[name];
  if (value === undefined || value === null) throw new Error(`no ${name} in ${JSON.stringify(answer)}`);
  return value as T;
}

const eventOf = (r: GraphQLAnswer) => r.data?.eventRecorded as { id: string; customerId: string } | undefined;
const statusOf = (r: GraphQLAnswer) =>
  r.data?.relationshipStatusChanged as { customerId: string; accountManagerId: string } | undefined;

/** Nothing in the answer names a customer outside `allowed`, nor the other manager (errors included). */
function expectOnly(answer: GraphQLAnswer, allowed: readonly string[]) {
  const text = JSON.stringify(answer);
  for (const customerId of CUSTOMERS) {
    if (!allowed.includes(customerId)) expect(text, `${customerId} leaked`).not.toContain(`"${customerId}"`);
  }
  expect(text).not.toContain(OTHER);
}
