import { DEFAULT_TIER_POLICY, type PositionedEvent } from '@crh/domain';
import type { EventStore } from '@crh/event-store';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationshipOn } from '../queries/relationship-queries.ts';
import { buildRelationships } from '../rebuild/relationship-build.ts';
import { listParked, retryParked, skipParked } from './parked-events.ts';
import { measureProjectionLag } from './projection-lag.ts';
import { createProjector } from './projection-runner.ts';

const context = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };
const ONBOARDED = '2026-01-01T00:00:00.000Z';

describe('a poison event stops only its customer (fault injected by a test-only faultInjector)', () => {
  let database: PlatformTestDatabase;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ({ pool, store } = database);
    // Over an empty log: the live projector (not a first build) meets the events.
    await projector().catchUp();
  });
  afterAll(() => database.close());

  // The fault: applying any of these events throws, as a projection bug would.
  const poisoned = new Set<string>();
  const faultInjector = (_customerId: string, events: readonly PositionedEvent[]) => {
    const bad = events.find((e) => poisoned.has(e.id));
    if (bad) throw new Error(`injected fault: cannot project ${bad.id}`);
  };
  const projector = () =>
    createProjector({ store, pool, logger: quietLogger, context, batchSize: 2, faultInjector });
  const lastContact = async (customerId: string) =>
    (await relationshipOn(pool, customerId, '2026-02-28'))?.lastContactAt ?? null;
  const contact = (customerId: string, day: string) =>
    testEvent(customerId, 'ContactLogged', `2026-01-${day}T00:00:00.000Z`, {
      channel: 'call',
      direction: 'outbound',
    });
  const onboard = (customerId: string) =>
    testEvent(customerId, 'CustomerOnboarded', '2026-01-01T00:00:00.000Z', {
      name: customerId,
      accountManagerId: 'am-1',
    });

  it('parks the poison event, holds its customer’s later events, lets the others go on; retry applies them in order', async () => {
    const poison = contact('b-1', '05');
    poisoned.add(poison.id);
    await store.append([
      onboard('a-1'),
      onboard('b-1'),
      poison,
      contact('a-1', '06'),
      contact('b-1', '07'),
      contact('b-1', '08'),
    ]);
    await projector().catchUp();

    expect(await projector().checkpoint()).toBe(await store.headPosition());
    expect(await lastContact('a-1')).toBe('2026-01-06T00:00:00.000Z');
    // b-1's views stop before the poison event: onboarded (its first contact), nothing after.
    expect(await relationshipOn(pool, 'b-1', '2026-02-28')).toMatchObject({ name: 'b-1' });
    expect(await lastContact('b-1')).toBe(ONBOARDED);
    const parked = await listParked(pool);
    expect(parked.map((p) => [p.customerId, p.state])).toEqual([
      ['b-1', 'failed'],
      ['b-1', 'held'],
      ['b-1', 'held'],
    ]);
    expect(parked[0]).toMatchObject({
      eventId: poison.id,
      reason: `injected fault: cannot project ${poison.id}`,
    });
    expect(await measureProjectionLag(store, pool)).toMatchObject({
      events: 0,
      parked: 3,
      blockedCustomers: 1,
    });

    // Later events of the blocked customer wait too; other customers' do not.
    await store.append([contact('b-1', '09'), contact('a-1', '10')]);
    await projector().catchUp();
    expect(await lastContact('a-1')).toBe('2026-01-10T00:00:00.000Z');
    expect(await lastContact('b-1')).toBe(ONBOARDED);
    expect((await listParked(pool)).filter((p) => p.state === 'held')).toHaveLength(3);

    // Retry with the fault still there: nothing moves, the error is kept.
    expect(await retryParked({ pool, store, context, faultInjector })).toEqual([
      {
        customerId: 'b-1',
        applied: 0,
        failed: { eventId: poison.id, reason: expect.stringContaining('injected fault') },
      },
    ]);
    expect(await lastContact('b-1')).toBe(ONBOARDED);

    // The fix deployed: retry applies the poison event and the held ones, in order.
    poisoned.clear();
    expect(await retryParked({ pool, store, context, faultInjector }, 'b-1')).toEqual([
      { customerId: 'b-1', applied: 4 },
    ]);
    expect(await lastContact('b-1')).toBe('2026-01-09T00:00:00.000Z');
    expect(await listParked(pool)).toEqual([]);
    expect(await measureProjectionLag(store, pool)).toMatchObject({ parked: 0, blockedCustomers: 0 });

    // Unblocked: its next events are projected as they come.
    await store.append([contact('b-1', '11')]);
    await projector().catchUp();
    expect(await lastContact('b-1')).toBe('2026-01-11T00:00:00.000Z');
  });

  it('skip records the decision, releases the held events, and a refold leaves the skipped event out', async () => {
    const poison = contact('c-1', '20');
    poisoned.add(poison.id);
    await store.append([onboard('c-1'), poison, contact('c-1', '10'), contact('c-1', '12')]);
    await projector().catchUp();
    expect(await lastContact('c-1')).toBe(ONBOARDED);
    expect((await listParked(pool)).map((p) => p.state)).toEqual(['failed', 'held', 'held']);

    expect(await skipParked({ pool, store, context, faultInjector }, poison.id)).toEqual({
      customerId: 'c-1',
      applied: 2,
    });
    expect(await lastContact('c-1')).toBe('2026-01-12T00:00:00.000Z');
    expect(await listParked(pool)).toEqual([]);
    const skipped = await pool.query('select event_id, customer_id from crh.skipped_events');
    expect(skipped.rows).toEqual([{ event_id: poison.id, customer_id: 'c-1' }]);
    expect(await skipParked({ pool, store, context }, poison.id)).toBeNull();

    // A late event refolds c-1's whole history from the log: the skipped
    // event stays out (its contact on the 20th would otherwise be the last).
    poisoned.clear();
    await store.append([contact('c-1', '03')]);
    await projector().catchUp();
    expect(await lastContact('c-1')).toBe('2026-01-12T00:00:00.000Z');

    // A rebuild from the log reproduces the decision: the skipped event stays out.
    const head = (await store.headPosition())!;
    expect(
      await buildRelationships(pool, store, context, head, () => new Date(), { force: true }),
    ).toMatchObject({
      upTo: head,
    });
    expect(await lastContact('c-1')).toBe('2026-01-12T00:00:00.000Z');
    expect(await lastContact('b-1')).toBe('2026-01-11T00:00:00.000Z');
  });
  it('a database error a customer trips (a trigger raising for it) rolls back only that customer', async () => {
    // A real PostgreSQL error inside the batch's transaction: the savepoint,
    // not the whole transaction, must be rolled back for the others to commit.
    await pool.query(`
      create function crh.test_refuse_d1() returns trigger language plpgsql as $$
      begin
        if new.customer_id = 'd-1' then raise exception 'refused by a test trigger'; end if;
        return new;
      end $$;
      create trigger test_refuse_d1 before insert or update on crh.rm_relationships
        for each row execute function crh.test_refuse_d1()`);
    await store.append([onboard('d-1'), onboard('e-1'), contact('d-1', '04'), contact('e-1', '04')]);
    await projector().catchUp();
    expect(await lastContact('e-1')).toBe('2026-01-04T00:00:00.000Z');
    expect(await relationshipOn(pool, 'd-1', '2026-02-28')).toBeNull();
    expect((await listParked(pool)).map((p) => [p.customerId, p.state, p.reason])).toEqual([
      ['d-1', 'failed', 'refused by a test trigger'],
      ['d-1', 'held', 'held behind a failed event of this customer'],
    ]);
    expect(await projector().checkpoint()).toBe(await store.headPosition());

    await pool.query(
      'drop trigger test_refuse_d1 on crh.rm_relationships; drop function crh.test_refuse_d1()',
    );
    expect(await retryParked({ pool, store, context })).toEqual([{ customerId: 'd-1', applied: 2 }]);
    expect(await lastContact('d-1')).toBe('2026-01-04T00:00:00.000Z');
  });

  it("takes an erased customer's name out of the read models though its erasure is held behind a poison event", async () => {
    const poison = contact('e-1', '05');
    poisoned.add(poison.id);
    await store.append([onboard('e-1'), poison]);
    await projector().catchUp();
    expect(await relationshipOn(pool, 'e-1', '2026-02-28')).toMatchObject({ name: 'e-1' });
    // The erasure event (the key destroyed is the sealing store's part, not this one's).
    await store.append([testEvent('e-1', 'CustomerDataErased', '2026-03-01T00:00:00.000Z', {})]);
    await projector().catchUp();
    expect((await listParked(pool)).filter((p) => p.customerId === 'e-1').map((p) => p.state)).toEqual([
      'failed',
      'held',
    ]);
    expect(await relationshipOn(pool, 'e-1', '2026-02-28')).toMatchObject({ name: null });
    const { rows } = await pool.query(
      `select 1 from crh.rm_relationship_intervals where customer_id = 'e-1' and name is not null
       union all select 1 from crh.rm_relationships where customer_id = 'e-1' and fold like '%"name":"e-1"%'`,
    );
    expect(rows).toEqual([]);
  });
});
