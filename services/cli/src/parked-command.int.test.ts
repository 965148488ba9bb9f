import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@crh/config';
import type { PositionedEvent } from '@crh/domain';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import { relationshipOn } from '@crh/read-models/queries';
import { createProjector } from '@crh/read-models/runner';
import { quietLogger, testEvent } from '@crh/testing';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrh } from '../testing/run-crh.ts';

const eventOf = (value: unknown) => {
  const { event } = value as { event: { customerId: string; id: string } };
  return [event.customerId, event.id];
};
describe('crh parked list | retry | skip as a process (the poison injected by a test-only faultInjector)', () => {
  let database: PlatformTestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    env = { DATABASE_URL: database.url, CRH_DATA_DIR: mkdtempSync(join(tmpdir(), 'crh-parked-')) };
  });
  afterAll(() => database.close());

  // In an empty directory: no .env of the repository changes the configuration.
  const crh = (args: string[]) =>
    runCrh(args, { cwd: env.CRH_DATA_DIR, env: { PATH: process.env.PATH ?? '', ...env } });

  it('lists the poison events with their errors and held counts; retry and skip release their customers', async () => {
    const { pool, store } = database;
    const context = loadConfig(env).rules;
    const poisoned = new Set<string>();
    const faultInjector = (_: string, events: readonly PositionedEvent[]) => {
      if (events.some((e) => poisoned.has(e.id))) throw new Error('injected fault: projection bug');
    };
    const projector = () =>
      createProjector({ store, pool, logger: quietLogger, context, batchSize: 3, faultInjector });
    await projector().catchUp(); // over the empty log: what follows meets the live projector
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
    const [retried, skipped] = [contact('r-1', '05'), contact('s-1', '05')];
    poisoned.add(retried.id).add(skipped.id);
    await store.append([
      onboard('r-1'),
      onboard('s-1'),
      retried,
      skipped,
      contact('r-1', '06'),
      contact('s-1', '07'),
    ]);
    await projector().catchUp();

    const list = await crh(['parked', 'list']);
    expect(list, list.err).toMatchObject({ code: 0 });
    const lines = list.out.trim().split('\n');
    expect(lines[0]).toMatch(/^CUSTOMER\s+EVENT\s+POSITION\s+TYPE\s+STATE\s+HELD\s+ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      [
        'r-1',
        retried.id,
        expect.any(String),
        'ContactLogged',
        'failed',
        '1',
        'injected fault: projection bug',
      ],
      [
        's-1',
        skipped.id,
        expect.any(String),
        'ContactLogged',
        'failed',
        '1',
        'injected fault: projection bug',
      ],
    ]);

    // Live subscribers hear what retry and skip apply, on the change feed
    // the projector uses (CHANGE_FEED=postgres here, the default).
    const heard: unknown[] = [];
    const feed = createNotifySubscriber({ connectionString: database.url, logger: quietLogger });
    await feed.start((values) => heard.push(...values));

    // The fix is the child's code, which has no fault: retry applies r-1's two events.
    const retry = await crh(['parked', 'retry', '--customer', 'r-1']);
    expect(retry, retry.err).toMatchObject({ code: 0, out: 'r-1: 2 events applied; unblocked\n' });
    expect((await relationshipOn(pool, 'r-1', '2026-02-01'))?.lastContactAt).toBe('2026-01-06T00:00:00.000Z');

    const skip = await crh(['parked', 'skip', skipped.id, '--reason', 'a bad import']);
    expect(skip, skip.err).toMatchObject({
      code: 0,
      out: `skipped ${skipped.id}\ns-1: 1 event applied; unblocked\n`,
    });
    expect((await relationshipOn(pool, 's-1', '2026-02-01'))?.lastContactAt).toBe('2026-01-07T00:00:00.000Z');
    expect((await pool.query('select reason from crh.skipped_events')).rows).toEqual([
      { reason: 'a bad import' },
    ]);

    // The two applied by the retry, the held one applied by the skip, and r-1's status news.
    await expect
      .poll(() => heard.filter((v) => (v as { kind: string }).kind === 'event').map(eventOf))
      .toEqual([
        ['r-1', retried.id],
        ['r-1', expect.any(String)],
        ['s-1', expect.any(String)],
      ]);
    expect(heard.filter((v) => (v as { kind: string }).kind === 'event').map(eventOf)).not.toContainEqual([
      's-1',
      skipped.id,
    ]);
    await feed.close();

    expect(await crh(['parked', 'list'])).toMatchObject({ code: 0, out: 'no parked events\n' });
    const again = await crh(['parked', 'skip', skipped.id]);
    expect(again).toMatchObject({ code: 1 });
    expect(again.err).toMatch(/is not a failed parked event/);
  });
});
