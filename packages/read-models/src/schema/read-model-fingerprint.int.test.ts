import { randomUUID } from 'node:crypto';
import { DEFAULT_TIER_POLICY, parseTierPolicy, type RuleContext } from '@crh/domain';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relationshipOn } from '../queries/relationship-queries.ts';
import { createProjector } from '../runner/projection-runner.ts';
import { ensureReadModelsMatch } from './read-model-fingerprint.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('read models follow the configuration they were built with', () => {
  let database: PlatformTestDatabase;
  beforeAll(async () => {
    database = await openPlatformTestDatabase();
  });
  afterAll(() => database.close());

  const projector = (context: RuleContext) =>
    createProjector({
      store: database.store,
      pool: database.pool,
      logger: quiet,
      context,
      batchSize: 10,
      now: () => new Date('2026-03-01T12:00:00Z'),
    });
  const changes = async () =>
    Number((await database.pool.query('select count(*) from crh.relationship_status_changes')).rows[0].count);

  it('rebuilds every view when the tier policy changes, announcing nothing while rebuilding', async () => {
    const utc = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };
    await projector(utc).catchUp(); // empty log: announcing from the start
    const id = `pol-${randomUUID().slice(0, 8)}`;
    await database.store.append(
      Array.from({ length: 25 }, (_, i) => ({
        id: randomUUID(),
        type: i === 0 ? 'CustomerOnboarded' : 'ComplimentReceived',
        customerId: i === 0 ? id : `${id}-${i}`, // 24 other customers, never onboarded
        occurredAt: '2026-01-01T09:00:00.000Z',
        data: i === 0 ? { name: 'P', tier: 'strategic', accountManagerId: 'am-1' } : { channel: 'email' },
      })),
    );
    await projector(utc).catchUp();
    expect((await relationshipOn(database.pool, id, '2026-01-20'))?.status).toBe('GOING_QUIET');
    const announced = await changes();
    expect(announced).toBe(1); // the onboarding, as of 1 March: NEGLECTED

    expect(await ensureReadModelsMatch(database.pool, utc, null)).toEqual({
      state: 'current',
      quietUntil: null,
    });
    const stricter = { timeZone: 'UTC', policy: parseTierPolicy('strategic=5/10') };
    await projector(stricter).catchUp();
    expect((await relationshipOn(database.pool, id, '2026-01-06'))?.status).toBe('GOING_QUIET');
    expect((await relationshipOn(database.pool, id, '2026-01-11'))?.status).toBe('NEGLECTED');
    expect(await changes()).toBe(announced); // the whole book again is no news

    // A new zone rebuilds too; the same configuration again does not.
    const head = await database.store.headPosition();
    expect(await ensureReadModelsMatch(database.pool, { ...stricter, timeZone: 'Asia/Tokyo' }, head)).toEqual(
      {
        state: 'rebuilding',
        quietUntil: head,
      },
    );
    // Nothing is emptied before the build: the old rows serve until it commits.
    expect((await relationshipOn(database.pool, id, '2026-01-06'))?.status).toBe('GOING_QUIET');
  });

  it('announces what comes after the head a build started from, also within the same batch', async () => {
    const fresh = await openPlatformTestDatabase();
    try {
      const onboard = (id: string) => ({
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId: id,
        occurredAt: '2026-02-01T09:00:00.000Z',
        data: { name: id, accountManagerId: 'am-1' },
      });
      await fresh.store.append([onboard('known-before')]);
      const building = createProjector({
        store: fresh.store,
        pool: fresh.pool,
        logger: quiet,
        context: { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY },
        batchSize: 100,
        now: () => new Date('2026-03-01T12:00:00Z'),
      });
      await building.turnDays(); // prepares: quiet up to the head, which is the first onboarding
      await fresh.store.append([onboard('new-after')]);
      await building.catchUp(); // one batch holds both
      const { rows } = await fresh.pool.query('select customer_id from crh.relationship_status_changes');
      expect(rows.map((r) => r.customer_id)).toEqual(['new-after']);
    } finally {
      await fresh.close();
    }
  });
});
