import { DEFAULT_TIER_POLICY } from '@crh/domain';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureProjectionLag } from './projection-lag.ts';
import { createProjector } from './projection-runner.ts';

describe('the projection lag readiness and the gauges report', () => {
  let database: PlatformTestDatabase;
  beforeAll(async () => {
    database = await openPlatformTestDatabase();
  });
  afterAll(() => database.close());

  it('counts the events behind and how long the oldest has waited; nothing once caught up', async () => {
    const lag = () => measureProjectionLag(database.store, database.pool);
    expect(await lag()).toMatchObject({ head: null, events: 0, seconds: 0, parked: 0, blockedCustomers: 0 });

    const onboarding = (c: string) =>
      testEvent(c, 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
        name: c,
        tier: 'strategic',
        accountManagerId: 'a',
      });
    await database.store.append([onboarding('lag-1'), onboarding('lag-2')]);
    await database.store.append([onboarding('lag-3')]);
    await new Promise((r) => setTimeout(r, 300));
    const behind = await lag();
    expect(behind.events).toBe(3);
    expect(behind.checkpoint).toBeNull();
    expect(behind.seconds).toBeGreaterThanOrEqual(0.25);
    // The oldest waiting event counts, not the newest.
    const later = await measureProjectionLag(
      database.store,
      database.pool,
      () => new Date(Date.now() + 60_000),
    );
    expect(later.seconds).toBeGreaterThan(60);

    const projector = createProjector({
      store: database.store,
      pool: database.pool,
      logger: quietLogger,
      context: { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY },
      batchSize: 2,
      now: () => new Date('2026-01-10T12:00:00Z'),
    });
    await projector.catchUp();
    const caughtUp = await lag();
    expect(caughtUp).toMatchObject({ events: 0, seconds: 0, head: behind.head, checkpoint: behind.head });

    await database.store.append([onboarding('lag-4')]);
    expect((await lag()).events).toBe(1);
  });
});
