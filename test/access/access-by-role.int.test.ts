import type { Role } from '@crh/auth';
import type { RecordedEvent } from '@crh/event-store';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessGateway,
  type GraphQLAnswer,
  openAccessGateway,
  type Probe,
} from '../support/access-gateway.ts';

// Every role against every query and subscription field of the built
// schema (over HTTP, SSE and graphql-ws): what each may, and the exact
// refusal of what it may not. The list of fields comes from the running
// gateway's schema, so a new field without a row here fails.

type Caller = 'accountManager' | 'lead' | 'analyst' | 'ingest' | 'admin' | 'monitoring' | 'none';
const CALLERS: readonly Caller[] = [
  'accountManager',
  'lead',
  'analyst',
  'ingest',
  'admin',
  'monitoring',
  'none',
];
const ROLE: Record<Exclude<Caller, 'none'>, Role> = {
  accountManager: 'account-manager',
  lead: 'lead',
  analyst: 'analyst',
  ingest: 'ingest',
  admin: 'admin',
  monitoring: 'monitoring',
};

/** data: answered; null: answered null (outside the book); nothing: a subscription that never delivers. */
type Outcome = 'data' | 'null' | 'nothing' | 'FORBIDDEN' | 'UNAUTHENTICATED';
type Expected = Record<Caller, Outcome>;

/** Any reader: an account manager its own book, lead, analyst and admin everything. */
const READERS: Expected = {
  accountManager: 'data',
  lead: 'data',
  analyst: 'data',
  admin: 'data',
  ingest: 'FORBIDDEN',
  // A scraper's token reads /metrics and no customer.
  monitoring: 'FORBIDDEN',
  none: 'UNAUTHENTICATED',
};
/** Another manager's book, or the organisation's comparison of managers. */
const OTHER_BOOK: Expected = { ...READERS, accountManager: 'FORBIDDEN' };

const MINE = 'am-a';
const OTHERS = 'am-b';
const NOW = new Date('2026-06-01T12:00:00Z');
const TODAY = '2026-06-01';

interface QueryRow {
  field: string;
  name: string;
  query: string;
  /** Per caller, so that each caller's mutation acts on a promise of its own. */
  variables?: (caller: Caller) => Record<string, unknown>;
  expected: Expected;
  /** A refusal may repeat the customer id the caller sent (as it would for one that does not exist). */
  echoes?: string;
}

const QUERY_ROWS: QueryRow[] = [
  {
    field: 'relationships',
    name: 'own book',
    query: '{ relationships { totalCount edges { node { customerId } } } }',
    expected: READERS,
  },
  {
    field: 'relationships',
    name: "another manager's",
    query: `{ relationships(accountManagerId: "${OTHERS}") { totalCount edges { node { customerId } } } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'relationship',
    name: 'a customer in the book',
    query: '{ relationship(customerId: "c-a1") { customerId complaints { edges { cursor } } } }',
    expected: READERS,
  },
  {
    field: 'relationship',
    name: 'a customer outside the book',
    query: '{ relationship(customerId: "c-b1") { customerId } }',
    expected: { ...READERS, accountManager: 'null' },
  },
  {
    field: 'neglectedRelationships',
    name: 'own book',
    query: `{ neglectedRelationships(date: "${TODAY}") { customerId } }`,
    expected: READERS,
  },
  {
    field: 'neglectedRelationships',
    name: "another manager's",
    query: `{ neglectedRelationships(date: "${TODAY}", accountManagerId: "${OTHERS}") { customerId } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'todaysCalls',
    name: 'own book',
    query: `{ todaysCalls(accountManagerId: "${MINE}") { reason relationship { customerId } } }`,
    expected: READERS,
  },
  {
    field: 'todaysCalls',
    name: "another manager's",
    query: `{ todaysCalls(accountManagerId: "${OTHERS}") { reason } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'dailyKpis',
    name: 'own book (the organisation for readers of every book)',
    query: `{ dailyKpis(from: "${TODAY}", to: "${TODAY}") { date activeCustomers } }`,
    expected: READERS,
  },
  {
    field: 'dailyKpis',
    name: "another manager's",
    query: `{ dailyKpis(from: "${TODAY}", to: "${TODAY}", accountManagerId: "${OTHERS}") { activeCustomers } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'complaints',
    name: 'own book',
    query: '{ complaints { edges { node { customerId } } } }',
    expected: READERS,
  },
  {
    field: 'complaints',
    name: "another manager's",
    query: `{ complaints(accountManagerId: "${OTHERS}") { edges { node { customerId } } } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'promises',
    name: 'own book',
    query: '{ promises { edges { node { customerId } } } }',
    expected: READERS,
  },
  {
    field: 'promises',
    name: "another manager's",
    query: `{ promises(accountManagerId: "${OTHERS}") { edges { node { customerId } } } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'nps',
    name: 'own book',
    query: `{ nps(from: "2026-05-01", to: "${TODAY}", groupBy: ACCOUNT_MANAGER) { key responses } }`,
    expected: READERS,
  },
  {
    field: 'nps',
    name: "another manager's",
    query: `{ nps(from: "2026-05-01", to: "${TODAY}", groupBy: TIER, accountManagerId: "${OTHERS}") { key } }`,
    expected: OTHER_BOOK,
  },
  {
    field: 'fans',
    name: 'own book',
    query: '{ fans { employeeId moments } }',
    expected: READERS,
  },
  {
    field: 'outliers',
    name: 'customers (within the book)',
    query: '{ outliers(metric: NPS_DROP) { customerId } }',
    expected: READERS,
  },
  {
    field: 'outliers',
    name: 'account managers compared',
    query: '{ outliers(metric: NEGLECTED_SHARE) { id } }',
    expected: OTHER_BOOK,
  },
  {
    field: 'accountManagers',
    name: 'own row (an account manager), every manager (the others)',
    query: '{ accountManagers { accountManagerId neglectedShare } }',
    expected: READERS,
  },
  {
    field: 'viewer',
    name: 'who is asking',
    query: '{ viewer { subject readsEveryBook } }',
    expected: READERS,
  },
  {
    field: 'organisation',
    name: 'time zone, today, tier policy',
    query: '{ organisation { timeZone today tierThresholds { tier } } }',
    expected: READERS,
  },
];

/** Acting: an account manager on its own book, lead and admin on any customer, nobody else. */
const ACTORS: Expected = {
  accountManager: 'data',
  lead: 'data',
  admin: 'data',
  analyst: 'FORBIDDEN',
  ingest: 'FORBIDDEN',
  monitoring: 'FORBIDDEN',
  none: 'UNAUTHENTICATED',
};
const OTHER_BOOK_ACTORS: Expected = { ...ACTORS, accountManager: 'FORBIDDEN' };

/** The promises each caller keeps and cancels (seeded below), one per caller and customer. */
const promiseOf = (verb: 'keep' | 'cancel', caller: Caller, customerId: string) =>
  `${verb}-${caller}-${customerId}`;
const mutationRows = (customerId: string, expected: Expected, name: string): QueryRow[] => [
  {
    field: 'logContact',
    name,
    query: `mutation { logContact(input: { customerId: "${customerId}", channel: "call", direction: "outbound" }) { id } }`,
    expected,
    echoes: customerId,
  },
  {
    field: 'makePromise',
    name,
    query: `mutation { makePromise(input: { customerId: "${customerId}", description: "call back", dueAt: "2026-06-20T10:00:00Z" }) { id } }`,
    expected,
    echoes: customerId,
  },
  {
    field: 'keepPromise',
    name,
    query: 'mutation ($c: ID!, $p: ID!) { keepPromise(customerId: $c, promiseId: $p) { id } }',
    variables: (caller) => ({ c: customerId, p: promiseOf('keep', caller, customerId) }),
    expected,
    echoes: customerId,
  },
  {
    field: 'cancelPromise',
    name,
    query: 'mutation ($c: ID!, $p: ID!) { cancelPromise(customerId: $c, promiseId: $p) { id } }',
    variables: (caller) => ({ c: customerId, p: promiseOf('cancel', caller, customerId) }),
    expected,
    echoes: customerId,
  },
];

/**
 * Mutations, run like queries (POST). Each mutation field of the schema
 * needs its rows here: who may act, on which customers.
 */
const MUTATION_ROWS: QueryRow[] = [
  ...mutationRows('c-a1', ACTORS, 'a customer in the book'),
  ...mutationRows('c-b1', OTHER_BOOK_ACTORS, 'a customer outside the book'),
];

interface SubscriptionRow {
  field: string;
  name: string;
  query: string;
  expected: Expected;
  /** A change the hub is handed that this subscription, where allowed, delivers. */
  trigger(seeded: Seeded): unknown;
}

interface Seeded {
  events: Map<string, RecordedEvent>;
}

const status = (customerId: string, accountManagerId: string) => ({
  kind: 'status',
  change: {
    customerId,
    accountManagerId,
    from: 'ACTIVE',
    to: 'GOING_QUIET',
    day: TODAY,
    at: NOW.toISOString(),
    cause: 'event',
  },
});
const alert = (customerId: string, accountManagerId: string) => ({
  kind: 'alert',
  alert: {
    kind: 'PROMISE_OVERDUE',
    customerId,
    subjectId: `p-${customerId}`,
    accountManagerId,
    dueAt: '2026-05-31T12:00:00.000Z',
    at: NOW.toISOString(),
  },
});

const SUBSCRIPTION_ROWS: SubscriptionRow[] = [
  {
    field: 'relationshipStatusChanged',
    name: 'own book',
    query: 'subscription { relationshipStatusChanged { customerId } }',
    expected: READERS,
    trigger: () => status('c-a1', MINE),
  },
  {
    field: 'relationshipStatusChanged',
    name: "another manager's",
    query: `subscription { relationshipStatusChanged(accountManagerId: "${OTHERS}") { customerId } }`,
    expected: OTHER_BOOK,
    trigger: () => status('c-b1', OTHERS),
  },
  {
    field: 'dailyKpisUpdated',
    name: 'own book (the organisation for readers of every book)',
    query: 'subscription { dailyKpisUpdated { date activeCustomers } }',
    expected: READERS,
    trigger: () => ({ kind: 'kpis', scopes: 'all' }),
  },
  {
    field: 'dailyKpisUpdated',
    name: "another manager's",
    query: `subscription { dailyKpisUpdated(accountManagerId: "${OTHERS}") { date } }`,
    expected: OTHER_BOOK,
    trigger: () => ({ kind: 'kpis', scopes: 'all' }),
  },
  {
    field: 'deadlineMissed',
    name: 'own book',
    query: 'subscription { deadlineMissed { customerId } }',
    expected: READERS,
    trigger: () => alert('c-a1', MINE),
  },
  {
    field: 'deadlineMissed',
    name: "another manager's",
    query: `subscription { deadlineMissed(accountManagerId: "${OTHERS}") { customerId } }`,
    expected: OTHER_BOOK,
    trigger: () => alert('c-b1', OTHERS),
  },
  {
    field: 'eventRecorded',
    name: 'own book',
    query: 'subscription { eventRecorded { customerId type } }',
    expected: READERS,
    trigger: (seeded) => ({ kind: 'event', event: seeded.events.get('c-a1') }),
  },
  {
    field: 'eventRecorded',
    name: 'a customer outside the book',
    query: 'subscription { eventRecorded(customerId: "c-b1") { customerId type } }',
    expected: { ...READERS, accountManager: 'nothing' },
    trigger: (seeded) => ({ kind: 'event', event: seeded.events.get('c-b1') }),
  },
];

describe('access by role: every query and subscription field', () => {
  let platform: AccessGateway;
  const tokens = new Map<Caller, string | null>();
  const seeded: Seeded = { events: new Map() };

  beforeAll(async () => {
    platform = await openAccessGateway({ now: NOW });
    for (const [customerId, manager] of [
      ['c-a1', MINE],
      ['c-b1', OTHERS],
    ] as const) {
      await platform.record([
        testEvent(customerId, 'CustomerOnboarded', '2026-05-01T09:00:00Z', {
          name: customerId,
          accountManagerId: manager,
        }),
        testEvent(customerId, 'ComplaintReceived', '2026-05-20T09:00:00Z', {
          complaintId: `k-${customerId}`,
          channel: 'email',
        }),
        testEvent(customerId, 'PromiseMade', '2026-05-20T10:00:00Z', {
          promiseId: `p-${customerId}`,
          description: 'call back',
          dueAt: '2026-06-10T10:00:00Z',
        }),
        testEvent(customerId, 'NpsResponded', '2026-05-21T10:00:00Z', { score: 9 }),
        testEvent(customerId, 'NpsResponded', '2026-05-30T10:00:00Z', { score: 3 }),
        ...CALLERS.flatMap((caller) =>
          (['keep', 'cancel'] as const).map((verb) =>
            testEvent(customerId, 'PromiseMade', '2026-05-20T11:00:00Z', {
              promiseId: promiseOf(verb, caller, customerId),
              description: `${verb} me`,
              dueAt: '2026-06-15T10:00:00Z',
            }),
          ),
        ),
        testEvent(
          customerId,
          'DelightMomentRecorded',
          `${TODAY}T08:00:00Z`,
          { kind: 'unprompted', description: 'flowers' },
          `emp-${manager}`,
        ),
      ]);
      const [first] = (await platform.database.store.readStreams([customerId])).get(customerId) ?? [];
      seeded.events.set(customerId, first!);
    }
    tokens.set('none', null);
    for (const caller of CALLERS) {
      if (caller === 'none') continue;
      const managerId = caller === 'accountManager' ? { managerId: MINE } : {};
      tokens.set(caller, await platform.auth.bearer(ROLE[caller], managerId));
    }
  });
  afterAll(() => platform?.close());

  it('has a row for every field of the schema (a new field needs its rule here)', async () => {
    const { body } = await platform.post(
      tokens.get('admin')!,
      '{ __schema { queryType { fields { name } } subscriptionType { fields { name } } mutationType { fields { name } } } }',
    );
    const schema = body.data?.__schema as Record<string, { fields: { name: string }[] } | null>;
    const names = (type: string) => (schema[type]?.fields ?? []).map((f) => f.name).sort();
    expect(names('queryType')).toEqual([...new Set(QUERY_ROWS.map((r) => r.field))].sort());
    expect(names('subscriptionType')).toEqual([...new Set(SUBSCRIPTION_ROWS.map((r) => r.field))].sort());
    expect(names('mutationType')).toEqual([...new Set(MUTATION_ROWS.map((r) => r.field))].sort());
  });

  describe.each([...QUERY_ROWS, ...MUTATION_ROWS])('$field ($name)', (row) => {
    it.each(CALLERS)('%s', async (caller) => {
      const answer = await platform.post(tokens.get(caller)!, row.query, row.variables?.(caller));
      expectAnswer(row.field, row.expected[caller], answer, row.echoes);
    });
  });

  describe.each(SUBSCRIPTION_ROWS)('subscription $field ($name)', (row) => {
    it.each(
      CALLERS.flatMap((caller) => (['sse', 'ws'] as const).map((transport) => [caller, transport] as const)),
    )('%s over %s', async (caller, transport) => {
      const probe = await platform[transport](tokens.get(caller)!, row.query);
      try {
        await expectSubscription(row, row.expected[caller], probe, transport);
      } finally {
        probe.close();
        // The next case counts the hub's subscriptions from zero.
        for (let i = 0; platform.gateway.live.subscriptions() > 0 && i < 250; i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
  });

  async function expectSubscription(
    row: SubscriptionRow,
    outcome: Outcome,
    probe: Probe,
    transport: 'sse' | 'ws',
  ): Promise<void> {
    switch (outcome) {
      case 'UNAUTHENTICATED':
        if (transport === 'sse') {
          expect(probe.refusal?.status).toBe(401);
          expect(probe.refusal?.body?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        } else {
          expect(probe.refusal?.closeCode).toBe(4401);
        }
        return;
      case 'FORBIDDEN': {
        expect(probe.refusal).toBeNull();
        const first = await probe.next();
        expect(first.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
        expect(first.data?.[row.field] ?? null).toBeNull();
        expectNoForeignIds(first);
        return;
      }
      case 'data': {
        expect(probe.refusal).toBeNull();
        await platform.subscriptions(1);
        platform.gateway.live.deliver([row.trigger(seeded)]);
        const first = await probe.next();
        expect(first.errors).toBeUndefined();
        expect(first.data?.[row.field]).toBeTruthy();
        return;
      }
      case 'nothing': {
        expect(probe.refusal).toBeNull();
        await platform.subscriptions(1);
        platform.gateway.live.deliver([row.trigger(seeded)]);
        await platform.gateway.live.settled();
        await new Promise((r) => setTimeout(r, 300));
        expect(probe.results).toEqual([]);
        return;
      }
      case 'null':
        throw new Error('a subscription has no null answer');
    }
  }
});

function expectAnswer(
  field: string,
  outcome: Outcome,
  answer: { status: number; headers: Headers; body: GraphQLAnswer },
  echoes?: string,
) {
  switch (outcome) {
    case 'UNAUTHENTICATED':
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(answer.body.data ?? null).toBeNull();
      return;
    case 'FORBIDDEN':
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(answer.body.errors?.[0]?.path).toEqual([field]);
      expect(answer.body.data?.[field] ?? null).toBeNull();
      expectNoForeignIds(answer.body, echoes);
      return;
    case 'null':
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { [field]: null } });
      return;
    case 'data':
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data?.[field]).toBeTruthy();
      return;
    case 'nothing':
      throw new Error('a query always answers');
  }
}

/** A refusal names neither the other manager nor its customers (but the one the caller named, if it echoes it). */
function expectNoForeignIds(answer: GraphQLAnswer, echoes?: string) {
  const text = JSON.stringify(answer);
  expect(text).not.toContain(OTHERS);
  if (echoes !== 'c-b1') expect(text).not.toContain('c-b1');
}
