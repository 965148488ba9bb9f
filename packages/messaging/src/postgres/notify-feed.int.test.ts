import { createPgPool } from '@crh/postgres';
import { createTestDatabase, quietLogger, type TestDatabase } from '@crh/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyPublisher, createNotifySubscriber } from './notify-feed.ts';

describe('change feed over PostgreSQL LISTEN/NOTIFY', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url, { max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const listen = async (channel: string) => {
    const received: unknown[] = [];
    const subscriber = createNotifySubscriber({
      connectionString: database.url,
      channel,
      logger: quietLogger,
    });
    await subscriber.start((values) => received.push(...values));
    return { received, subscriber };
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; !check(); i++) {
      if (i > 200) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  it('delivers far more than one 8000-byte notification holds, whole and in order, to every listener', async () => {
    const [a, b] = [await listen('feed_a'), await listen('feed_a')];
    const publisher = createNotifyPublisher({ pool, channel: 'feed_a' });
    // 3,000 changes of ~130 bytes (~400 kB): dozens of notifications per publish.
    const values = Array.from({ length: 3_000 }, (_, i) => ({
      kind: 'event',
      i,
      // Quotes, backslashes, a newline and non-ASCII: what escaping on the way could break.
      text: `é-"q" \\ \n ${'x'.repeat(90)}`,
    }));
    await publisher.publish(values.slice(0, 1_500).map((value) => ({ key: 'k', value })));
    await publisher.publish(values.slice(1_500).map((value) => ({ key: 'k', value })));
    await until(() => a.received.length >= 3_000 && b.received.length >= 3_000);
    expect(a.received).toEqual(values);
    expect(b.received).toEqual(values);
    await Promise.all([a.subscriber.close(), b.subscriber.close()]);
  });

  it('delivers the same change twice when it is published twice (no folding of equal payloads)', async () => {
    const { received, subscriber } = await listen('feed_b');
    const publisher = createNotifyPublisher({ pool, channel: 'feed_b' });
    await publisher.publish([
      { key: 'k', value: { kind: 'kpis', scopes: [''] } },
      { key: 'k', value: { kind: 'kpis', scopes: [''] } },
    ]);
    await publisher.publish([{ key: 'k', value: { kind: 'kpis', scopes: [''] } }]);
    await until(() => received.length >= 3);
    expect(received).toHaveLength(3);
    await subscriber.close();
  });

  it('rejects a change too big for a notification, naming the limit, and publishes nothing of that call', async () => {
    const { received, subscriber } = await listen('feed_c');
    const publisher = createNotifyPublisher({ pool, channel: 'feed_c' });
    await expect(
      publisher.publish([
        { key: 'k', value: { small: true } },
        { key: 'k', value: { big: 'x'.repeat(9_000) } },
      ]),
    ).rejects.toThrow(/7900-byte message limit/);
    await publisher.publish([{ key: 'k', value: { after: true } }]);
    await until(() => received.length >= 1);
    expect(received).toEqual([{ after: true }]);
    await subscriber.close();
  });

  it('listens again after its connection is killed', async () => {
    const { received, subscriber } = await listen('feed_d');
    const publisher = createNotifyPublisher({ pool, channel: 'feed_d' });
    await pool.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'crh-feed' and datname = current_database()",
    );
    // The subscriber reconnects about a second later; publish until it hears.
    for (let i = 0; received.length === 0; i++) {
      if (i > 100) throw new Error('never listened again');
      await publisher.publish([{ key: 'k', value: { i } }]);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(received.length).toBeGreaterThan(0);
    await subscriber.close();
  });
});
