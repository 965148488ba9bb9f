import { randomUUID } from 'node:crypto';
import { DEFAULT_TIER_POLICY } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationshipOn } from '../queries/relationship-queries.ts';
import { createProjector, type Projector } from '../runner/projection-runner.ts';
import type { DayTurn } from './day-turn.ts';

const quiet = quietLogger;
// St John's: UTC-3:30 in winter, so a day starts at 03:30 UTC.
const context = { timeZone: 'America/St_Johns', policy: DEFAULT_TIER_POLICY };
const event = testEvent;

describe('day turn and the status change feed (America/St_Johns)', () => {
  let database: PlatformTestDatabase;
  let projector: Projector;
  let now = new Date('2026-01-10T12:00:00Z');

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    projector = createProjector({
      store: database.store,
      pool: database.pool,
      logger: quiet,
      context,
      batchSize: 50,
      now: () => now,
    });
    await projector.catchUp(); // an empty log: the clock starts today
  });
  afterAll(() => database.close());

  const feed = async (customerId: string) =>
    (
      await database.pool.query(
        `select from_status, to_status, day::text, at, cause from crh.relationship_status_changes
         where customer_id = $1 order by seq`,
        [customerId],
      )
    ).rows.map((r) => [r.day, r.from_status, r.to_status, r.cause, r.at.toISOString()]);
  const record = async (...events: AppendEvent[]) => {
    await database.store.append(events);
    await projector.catchUp();
  };

  it('announces changes caused by events and by days passing, once each, in order', async () => {
    const c = `turn-${randomUUID().slice(0, 8)}`;
    await record(
      event(c, 'CustomerOnboarded', '2026-01-01T12:00:00Z', {
        name: 'T',
        tier: 'strategic',
        accountManagerId: 'am-1',
      }),
    );
    expect(await feed(c)).toEqual([['2026-01-10', null, 'ACTIVE', 'event', now.toISOString()]]);

    // Strategic: GOING_QUIET after 14 days (15 Jan), NEGLECTED after 30 (31 Jan), with no event.
    now = new Date('2026-02-05T12:00:00Z');
    const turns = await projector.turnDays();
    expect(turns.map((t) => t.day)).toEqual(
      Array.from({ length: 26 }, (_, i) => new Date(Date.UTC(2026, 0, 11 + i)).toISOString().slice(0, 10)),
    );
    expect(turns.filter((t) => t.changes.length > 0).map((t) => [t.day, t.changes[0]!.to])).toEqual([
      ['2026-01-15', 'GOING_QUIET'],
      ['2026-01-31', 'NEGLECTED'],
    ]);
    expect(await projector.turnDays()).toEqual([]); // nothing twice

    await record(
      event(c, 'ContactLogged', '2026-02-05T10:00:00Z', { channel: 'call', direction: 'outbound' }),
    );
    // A late contact changes past days, not today's status: nothing to announce.
    await record(
      event(c, 'ContactLogged', '2026-01-20T10:00:00Z', { channel: 'email', direction: 'inbound' }),
    );
    expect((await relationshipOn(database.pool, c, '2026-01-31'))?.status).toBe('ACTIVE');

    // Downtime until 20 March: every missed day is turned, in order.
    now = new Date('2026-03-20T12:00:00Z');
    expect((await projector.turnDays()).length).toBe(43);
    expect(await feed(c)).toEqual([
      ['2026-01-10', null, 'ACTIVE', 'event', '2026-01-10T12:00:00.000Z'],
      ['2026-01-15', 'ACTIVE', 'GOING_QUIET', 'day', '2026-01-15T03:30:00.000Z'],
      ['2026-01-31', 'GOING_QUIET', 'NEGLECTED', 'day', '2026-01-31T03:30:00.000Z'],
      ['2026-02-05', 'NEGLECTED', 'ACTIVE', 'event', '2026-02-05T12:00:00.000Z'],
      ['2026-02-19', 'ACTIVE', 'GOING_QUIET', 'day', '2026-02-19T03:30:00.000Z'],
      ['2026-03-07', 'GOING_QUIET', 'NEGLECTED', 'day', '2026-03-07T03:30:00.000Z'],
    ]);
  });

  it('announces an onboarding dated in the future on its own day, and a churn at once', async () => {
    const c = `future-${randomUUID().slice(0, 8)}`;
    await record(
      event(c, 'CustomerOnboarded', '2026-03-25T12:00:00Z', { name: 'F', accountManagerId: 'am-2' }),
    );
    expect(await feed(c)).toEqual([]);
    now = new Date('2026-03-26T12:00:00Z');
    const turns = await projector.turnDays();
    expect(turns.flatMap((t) => t.changes).filter((ch) => ch.customerId === c)).toEqual([
      {
        customerId: c,
        accountManagerId: 'am-2',
        from: null,
        to: 'ACTIVE',
        day: '2026-03-25',
        at: '2026-03-25T02:30:00.000Z', // daylight saving time began on 8 March: UTC-2:30
        cause: 'day',
      },
    ]);
    await record(event(c, 'CustomerChurned', '2026-03-26T11:00:00Z', {}));
    expect((await feed(c)).map((row) => row.slice(0, 4))).toEqual([
      ['2026-03-25', null, 'ACTIVE', 'day'],
      ['2026-03-26', 'ACTIVE', 'CHURNED', 'event'],
    ]);
  });

  it('turns the day by itself while running, without any event', async () => {
    const turned: DayTurn[] = [];
    const running = createProjector({
      store: database.store,
      pool: database.pool,
      logger: quiet,
      context,
      batchSize: 50,
      now: () => now,
      dayTurnCheckMs: 20,
      onDayTurned: (turn) => {
        turned.push(turn);
      },
    });
    const controller = new AbortController();
    const done = running.run(controller.signal);
    now = new Date('2026-03-28T12:00:00Z');
    const deadline = Date.now() + 10_000;
    while (!turned.some((t) => t.day === '2026-03-28') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    await done;
    expect(turned.map((t) => t.day)).toEqual(['2026-03-27', '2026-03-28']);
  });

  it('turns a new day before the next batch, so a contact dated today is announced as an event', async () => {
    const c = `today-${randomUUID().slice(0, 8)}`;
    await record(
      event(c, 'CustomerOnboarded', '2026-03-28T10:00:00Z', {
        name: 'D',
        tier: 'strategic',
        accountManagerId: 'am-3',
      }),
    );
    // 15 days pass unturned (no day-turn loop runs here); then a contact dated today arrives.
    now = new Date('2026-04-12T12:00:00Z');
    await record(
      event(c, 'ContactLogged', '2026-04-12T11:00:00Z', { channel: 'call', direction: 'inbound' }),
    );
    expect((await feed(c)).map((row) => row.slice(0, 4))).toEqual([
      ['2026-03-28', null, 'ACTIVE', 'event'],
      ['2026-04-11', 'ACTIVE', 'GOING_QUIET', 'day'],
      ['2026-04-12', 'GOING_QUIET', 'ACTIVE', 'event'],
    ]);
  });
});
