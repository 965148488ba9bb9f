import { type LiveGateway, openLiveGateway } from '@crh/gateway/testing/live';
import { testEvent } from '@crh/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Subscriber, subscribeSse, subscribeWs } from '../support/graphql-subscribers.ts';

// Time passing, with no event: the projector and the gateway run in this
// process so the clock can be moved, but everything between them is real
// (PostgreSQL, the LISTEN/NOTIFY feed, HTTP and WebSocket sockets).
describe('subscriptions when only time passes: a day turn and a missed deadline', () => {
  let live: LiveGateway;
  let admin: string;
  const open: Subscriber<unknown>[] = [];

  beforeAll(async () => {
    live = await openLiveGateway({ now: new Date('2026-03-02T10:00:00Z'), timeZone: 'Europe/Amsterdam' });
    admin = await live.auth.bearer('admin');
    await live.database.store.append([
      testEvent('dt-1', 'CustomerOnboarded', '2026-03-01T09:00:00Z', {
        name: 'Stil BV',
        tier: 'strategic',
        accountManagerId: 'am-dt',
      }),
      testEvent('dt-1', 'ContactLogged', '2026-03-02T09:00:00Z', { channel: 'call', direction: 'outbound' }),
      testEvent('dt-1', 'PromiseMade', '2026-03-02T09:30:00Z', {
        promiseId: 'quote-1',
        description: 'send the quote',
        dueAt: '2026-03-05T17:00:00Z',
      }),
    ]);
    await live.projector.catchUp();
    await live.projector.announceDeadlines(); // sets the mark: nothing due yet
  });

  afterAll(async () => {
    for (const s of open) s.close();
    await live?.close();
  });

  it('announces GOING_QUIET when the 14th silent day begins, with the new day’s KPIs, over SSE and WebSocket', async () => {
    type Change = {
      relationshipStatusChanged: { customerId: string; from: string; to: string; cause: string; day: string };
    };
    const query = `subscription { relationshipStatusChanged(accountManagerId: "am-dt") {
      customerId from to cause day } }`;
    const sse = await subscribeSse<Change>(live.gateway.url, admin, query);
    const ws = await subscribeWs<Change>(live.gateway.url, admin, query);
    const kpis = await subscribeSse<{
      dailyKpisUpdated: { date: string; goingQuiet: number; activeCustomers: number };
    }>(
      live.gateway.url,
      admin,
      'subscription { dailyKpisUpdated(accountManagerId: "am-dt") { date goingQuiet activeCustomers } }',
    );
    open.push(sse, ws, kpis as Subscriber<unknown>);
    await live.subscriptions(3);

    live.setNow(new Date('2026-03-15T23:30:00Z')); // 00:30 on 16 March in Amsterdam: 14 days since 2 March
    const turns = await live.projector.turnDays();
    expect(turns.map((t) => t.day)).toContain('2026-03-16');

    const expected = {
      customerId: 'dt-1',
      from: 'ACTIVE',
      to: 'GOING_QUIET',
      cause: 'DAY',
      day: '2026-03-16',
    };
    expect(
      (await sse.next((d) => d.relationshipStatusChanged.customerId === 'dt-1')).relationshipStatusChanged,
    ).toEqual(expected);
    expect(
      (await ws.next((d) => d.relationshipStatusChanged.customerId === 'dt-1')).relationshipStatusChanged,
    ).toEqual(expected);
    const today = await kpis.next((d) => d.dailyKpisUpdated.date === '2026-03-16');
    expect(today.dailyKpisUpdated).toEqual({ date: '2026-03-16', goingQuiet: 1, activeCustomers: 1 });
    // Exactly one change: no event arrived, nothing else moved.
    expect(sse.received).toHaveLength(1);
  });

  it('answers a WebSocket operation with a syntax error alone, keeping the socket and its other subscriptions', async () => {
    const client = createClient({
      url: live.gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: admin },
    });
    try {
      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { eventRecorded { id }' },
          { next: () => {}, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(JSON.stringify(refused)).toMatch(/Syntax Error/);
      // The same socket still serves a valid operation.
      const answered = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '{ __typename }' }, { next: resolve, error: reject, complete: () => {} });
      });
      expect(answered).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await client.dispose();
    }
  });

  it('announces a promise overdue once when time passes its due date', async () => {
    const missed = await subscribeSse<{ deadlineMissed: Record<string, unknown> }>(
      live.gateway.url,
      admin,
      'subscription { deadlineMissed(kinds: [PROMISE_OVERDUE]) { kind customerId subjectId accountManagerId dueAt } }',
    );
    open.push(missed as Subscriber<unknown>);
    await live.projector.announceDeadlines();
    await live.projector.announceDeadlines(); // a second check announces nothing new
    const alert = await missed.next((d) => d.deadlineMissed.subjectId === 'quote-1');
    expect(alert.deadlineMissed).toEqual({
      kind: 'PROMISE_OVERDUE',
      customerId: 'dt-1',
      subjectId: 'quote-1',
      accountManagerId: 'am-dt',
      dueAt: '2026-03-05T17:00:00.000Z',
    });
    await live.gateway.live.settled();
    expect(missed.received).toHaveLength(1);
  });
});
