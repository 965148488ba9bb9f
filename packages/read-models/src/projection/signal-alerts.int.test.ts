import { DEFAULT_TIER_POLICY } from '@crh/domain';
import type { AppendEvent } from '@crh/event-store';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjector, type Projector } from '../runner/projection-runner.ts';

const quiet = quietLogger;
const event = testEvent;

// The signal change feed with an injected clock and the default SLA
// (acknowledge 24 h, update every 48 h, resolve 120 h).
describe('signal change feed: missed deadlines, once each', () => {
  let database: PlatformTestDatabase;
  let projector: Projector;
  let now = new Date('2026-05-01T10:00:00Z');

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    projector = createProjector({
      store: database.store,
      pool: database.pool,
      logger: quiet,
      context: { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY },
      batchSize: 50,
      now: () => now,
    });
    await projector.catchUp();
  });
  afterAll(() => database.close());

  const at = async (instant: string) => {
    now = new Date(instant);
    return (await projector.announceDeadlines()).map((a) => [a.kind, a.subjectId, a.dueAt]);
  };
  const record = async (...events: AppendEvent[]) => {
    await database.store.append(events);
    await projector.catchUp();
  };

  it('announces each deadline when its time passes, not before and not twice', async () => {
    expect(await at('2026-05-01T10:00:00Z')).toEqual([]); // sets the mark
    await record(
      event('a-1', 'CustomerOnboarded', '2026-04-01T09:00:00Z', { name: 'A', accountManagerId: 'am-1' }),
      event('a-1', 'PromiseMade', '2026-05-01T08:00:00Z', {
        promiseId: 'p1',
        description: 'call',
        dueAt: '2026-05-01T12:00:00Z',
      }),
      event('a-1', 'PromiseMade', '2026-05-01T08:00:00Z', {
        promiseId: 'p2',
        description: 'quote',
        dueAt: '2026-05-03T08:00:00Z',
      }),
      event('a-1', 'ComplaintReceived', '2026-05-01T09:00:00Z', { complaintId: 'c1', channel: 'call' }),
    );
    expect(await at('2026-05-01T11:00:00Z')).toEqual([]);
    expect(await at('2026-05-01T12:30:00Z')).toEqual([['PROMISE_OVERDUE', 'p1', '2026-05-01T12:00:00.000Z']]);
    expect(await at('2026-05-02T10:00:00Z')).toEqual([
      ['COMPLAINT_ACKNOWLEDGE_OVERDUE', 'c1', '2026-05-02T09:00:00.000Z'],
    ]);
    expect(await at('2026-05-02T11:00:00Z')).toEqual([]);
    await record(event('a-1', 'PromiseKept', '2026-05-02T12:00:00Z', { promiseId: 'p2' }));
    // p2 was kept before its due time; the complaint has been silent 48 h since its receipt.
    expect(await at('2026-05-03T12:00:00Z')).toEqual([
      ['COMPLAINT_UPDATE_OVERDUE', 'c1', '2026-05-03T09:00:00.000Z'],
    ]);
    const feed = await database.pool.query(
      'select kind, subject_id, account_manager_id from crh.signal_alerts order by seq',
    );
    expect(feed.rows).toEqual([
      { kind: 'PROMISE_OVERDUE', subject_id: 'p1', account_manager_id: 'am-1' },
      { kind: 'COMPLAINT_ACKNOWLEDGE_OVERDUE', subject_id: 'c1', account_manager_id: 'am-1' },
      { kind: 'COMPLAINT_UPDATE_OVERDUE', subject_id: 'c1', account_manager_id: 'am-1' },
    ]);
  });

  it('announces in the batch a deadline that an arriving event shows already passed', async () => {
    await record(
      event('a-1', 'PromiseMade', '2026-04-20T08:00:00Z', {
        promiseId: 'p3',
        description: 'visit',
        dueAt: '2026-04-25T08:00:00Z',
      }),
    );
    const feed = await database.pool.query(
      `select kind, subject_id, due_at from crh.signal_alerts where subject_id = 'p3'`,
    );
    expect(feed.rows).toEqual([
      { kind: 'PROMISE_OVERDUE', subject_id: 'p3', due_at: new Date('2026-04-25T08:00:00Z') },
    ]);
  });

  it('does not call a promise overdue while its PromiseKept waits in the backlog', async () => {
    // Relative to the real clock: the store records events at the real time.
    const day = 86_400_000;
    const real = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await record(
      event('a-2', 'CustomerOnboarded', iso(real - 10 * day), { name: 'B', accountManagerId: 'am-1' }),
      event('a-2', 'PromiseMade', iso(real - day), {
        promiseId: 'p9',
        description: 'call',
        dueAt: iso(real + 10 * day),
      }),
    );
    await database.store.append([event('a-2', 'PromiseKept', iso(real + 5 * day), { promiseId: 'p9' })]);
    // A month on, the projector has not applied the PromiseKept yet: not overdue.
    const about = (alerts: unknown[][]) => alerts.filter((a) => a[1] === 'p9');
    expect(about(await at(iso(real + 30 * day)))).toEqual([]);
    await projector.catchUp();
    expect(about(await at(iso(real + 31 * day)))).toEqual([]);
    const feed = await database.pool.query(`select 1 from crh.signal_alerts where subject_id = 'p9'`);
    expect(feed.rowCount).toBe(0);
  });
});
