import { DEFAULT_TIER_POLICY, type PositionedEvent } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { relationshipOn } from '@crh/read-models/queries';
import { buildRelationships } from '@crh/read-models/rebuild';
import { createProjector } from '@crh/read-models/runner';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotByEventIds } from '../support/read-model-snapshot.ts';

// A poison event (its projection throws) met by a build from the log, not
// by a live batch: only its customer stops, exactly as the live projector
// would have stopped it, and the build goes on for everyone else. Before,
// one such event failed the whole build, and with it every projector start
// that needed one. The fault is injected by the projection's test-only
// faultInjector, as in the live poison-event tests.

const context = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };
const NOW = new Date('2026-03-01T12:00:00Z');
const onboard = (customerId: string) =>
  testEvent(customerId, 'CustomerOnboarded', '2026-01-01T00:00:00.000Z', {
    name: customerId,
    accountManagerId: 'am-1',
  });
const contact = (customerId: string, day: string) =>
  testEvent(customerId, 'ContactLogged', `2026-01-${day}T00:00:00.000Z`, {
    channel: 'call',
    direction: 'outbound',
  });

// The first part of the log is there before the build; the second arrives
// while the build runs and is applied by the live projector meanwhile.
const poisonB = contact('b-1', '05');
const before: AppendEvent[] = [
  onboard('a-1'),
  onboard('b-1'),
  contact('a-1', '03'),
  poisonB,
  contact('a-1', '06'),
  contact('b-1', '02'), // after the poison in the log, before it in time: held too
  contact('b-1', '08'),
];
const poisonC = contact('c-1', '10');
const during: AppendEvent[] = [onboard('c-1'), poisonC, contact('c-1', '11'), contact('a-1', '12')];

describe('a poison event met by a build from the log', () => {
  const poisoned = new Set([poisonB.id, poisonC.id]);
  const faultInjector = (_customerId: string, events: readonly PositionedEvent[]) => {
    const bad = events.find((e) => poisoned.has(e.id));
    if (bad) throw new Error(`injected fault: cannot project ${bad.id}`);
  };
  let live: PlatformTestDatabase;
  let built: PlatformTestDatabase;
  let end = '';
  const projectorOf = (database: PlatformTestDatabase) =>
    createProjector({
      store: database.store,
      pool: database.pool,
      logger: quietLogger,
      context,
      batchSize: 3,
      now: () => NOW,
      faultInjector,
    });
  /** Appends, then projects until the checkpoint holds them (the log's reads wait for older transactions on the shared server). */
  const record = async (database: PlatformTestDatabase, events: readonly AppendEvent[]) => {
    const last = (await database.store.append(events))
      .map((r) => r.position)
      .sort()
      .at(-1)!;
    const projector = projectorOf(database);
    while (((await projector.checkpoint()) ?? '') < last) {
      await projector.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return last;
  };
  const byEventIds = (database: PlatformTestDatabase) =>
    snapshotByEventIds(database.pool, async () => {
      const streams = await database.store.readStreams(['a-1', 'b-1', 'c-1']);
      return [...streams.values()].flat();
    });
  const lastContact = async (database: PlatformTestDatabase, customerId: string) =>
    (await relationshipOn(database.pool, customerId, '2026-02-28'))?.lastContactAt ?? null;

  beforeAll(async () => {
    [live, built] = await Promise.all([openPlatformTestDatabase(), openPlatformTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([live?.close(), built?.close()]);
  });

  it('stops only its customer, as the live projector does, also for events applied during the build', async () => {
    // The reference: every event met live, batch by batch.
    await record(live, before);
    await record(live, during);
    expect((await live.pool.query('select count(*)::int as n from crh.parked_events')).rows[0].n).toBe(
      5, // b-1: the poison and two held; c-1: the poison and one held
    );

    // The same log, the read models built from it while the live projector
    // applies what arrives meanwhile.
    // Live first, so the build below is an operator's rebuild.
    const head = await record(built, before);
    const result = await buildRelationships(built.pool, built.store, context, head, () => NOW, {
      force: true,
      faultInjector,
      beforeSwap: async () => {
        end = await record(built, during);
      },
    });
    expect(result).toMatchObject({ events: before.length, parked: 3, caughtUp: during.length });

    expect(await byEventIds(built)).toEqual(await byEventIds(live));
    expect(await lastContact(built, 'a-1')).toBe('2026-01-12T00:00:00.000Z');
    // b-1's views stop before the poison in log order: its contact of the 2nd came after it.
    expect(await lastContact(built, 'b-1')).toBe('2026-01-01T00:00:00.000Z');
    expect(await lastContact(built, 'c-1')).toBe('2026-01-01T00:00:00.000Z');
    const parked = await built.pool.query<{ event_id: string; state: string; reason: string }>(
      `select event_id, state, reason from crh.parked_events where state = 'failed' order by position`,
    );
    expect(parked.rows).toEqual([
      { event_id: poisonB.id, state: 'failed', reason: `injected fault: cannot project ${poisonB.id}` },
      { event_id: poisonC.id, state: 'failed', reason: `injected fault: cannot project ${poisonC.id}` },
    ]);
  });

  it('applies everything once the fault is gone, as a retry would', async () => {
    poisoned.clear();
    const result = await buildRelationships(built.pool, built.store, context, end, () => NOW, {
      force: true,
      faultInjector,
    });
    expect(result).toMatchObject({ parked: 0 });
    expect((await built.pool.query('select count(*)::int as n from crh.parked_events')).rows[0].n).toBe(0);
    expect(await lastContact(built, 'b-1')).toBe('2026-01-08T00:00:00.000Z');
    expect(await lastContact(built, 'c-1')).toBe('2026-01-11T00:00:00.000Z');
  });
});
