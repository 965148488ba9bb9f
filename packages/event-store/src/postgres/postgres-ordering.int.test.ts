import { randomUUID } from 'node:crypto';
import { createPgPool, runMigrations } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, newEvent, uniqueCustomer, waitForHead } from '../../testing/contract-fixtures.ts';
import type { AppendEvent } from '../port.ts';
import { APPEND_SQL, appendParams } from './append-batch.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';

// What the contract suite cannot see from outside: how the PostgreSQL adapter
// keeps the log gap-free. Open transactions make the races deterministic.
describe('PostgreSQL event store internals', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    pool = createPgPool(database.url, { max: 8 });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await drop();
  });

  /**
   * Runs `body` while an append sits uncommitted in a transaction of its own.
   * `commit()` ends it; otherwise (a failing assertion) it is rolled back, so
   * no lock or connection outlives the test.
   */
  async function withUncommittedAppend(
    events: AppendEvent[],
    body: (commit: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const client = await pool.connect();
    let open = true;
    try {
      await client.query('begin');
      await client.query(APPEND_SQL, appendParams(events));
      await body(async () => {
        open = false;
        await client.query('commit');
      });
    } finally {
      if (open) await client.query('rollback').catch(() => undefined);
      client.release();
    }
  }

  it('waits only for appends: an open transaction that appends nothing holds nothing back', async () => {
    // A projector's batch, a report, another database's work on the same
    // server: a transaction with an id, older than the append, still open.
    const other = await pool.connect();
    try {
      await other.query('begin');
      await other.query('select pg_current_xact_id()'); // it has an id now
      const [outcome] = await store.append([newEvent(uniqueCustomer('while-open'))]);
      // Readable at once (below pg_snapshot_xmin it would wait for the open one).
      expect(await store.headPosition()).toBe(outcome!.position);
      const read = await store.readAll({ after: null, limit: 100_000 });
      expect(read.map((e) => e.position)).toContain(outcome!.position);
    } finally {
      await other.query('rollback');
      other.release();
    }
  });

  it('never reads past a transaction still in flight (position > checkpoint would skip it for ever)', async () => {
    const [slow, fast] = [uniqueCustomer('slow'), uniqueCustomer('fast')];
    const start = await store.headPosition();
    const { rows: before } = await pool.query<{ p: string }>(
      'select coalesce(max(position), 0) as p from crh.events',
    );
    // The slow append draws the smaller position; the fast one commits first.
    await withUncommittedAppend([newEvent(slow)], async (commitSlow) => {
      const [fastOutcome] = await store.append([newEvent(fast)]);
      const naive = async (after: string) =>
        (
          await pool.query<{ position: string; customer_id: string }>(
            'select position, customer_id from crh.events where position > $1 order by position',
            [after],
          )
        ).rows;

      const naiveFirst = await naive(before[0]!.p);
      expect(naiveFirst.map((r) => r.customer_id)).toEqual([fast]);
      const ours = async () =>
        (await store.readAll({ after: start, limit: 100 })).filter((e) =>
          [slow, fast].includes(e.customerId),
        );
      expect(await ours()).toEqual([]);

      await commitSlow();
      await waitForHead(store, fastOutcome!.position);
      expect((await ours()).map((e) => e.customerId)).toEqual([slow, fast]);
      // The naive reader, resuming after what it saw, never sees the slow event.
      expect(await naive(naiveFirst[0]!.position)).toEqual([]);
    });
  });

  it('takes every stream lock before the transaction has an id, and writes nothing before', async () => {
    const [locked, other] = [uniqueCustomer('locked'), uniqueCustomer('other')];
    await withUncommittedAppend([newEvent(locked)], async (commitHolder) => {
      const waiting = store.append([newEvent(other), newEvent(locked)]);
      const waiter = await eventually(async () => {
        const { rows } = await pool.query<{ backend_xid: string | null }>(
          `select backend_xid from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`,
        );
        return rows[0];
      }, 'an append waiting for a stream lock');
      // Without an xid it will draw one after the holder commits, so its
      // revision 1 follows revision 0 in the global (tx_id, position) order too.
      expect(waiter.backend_xid).toBeNull();
      expect(await store.readStream(other)).toEqual([]);

      await commitHolder();
      const outcomes = await waiting;
      const stream = await store.readStream(locked);
      expect(stream.map((e) => e.revision)).toEqual([0, 1]);
      expect(stream[1]!.position > stream[0]!.position).toBe(true);
      expect(outcomes.map((o) => o.status)).toEqual(['recorded', 'recorded']);
    });
  });

  it('records a batch sent by several clients at once exactly once (unique violations are retried)', async () => {
    const customer = uniqueCustomer('racing');
    const batch = [newEvent(customer), newEvent(customer), newEvent(uniqueCustomer('racing-b'))];
    const results = await Promise.all(Array.from({ length: 6 }, () => store.append(batch)));
    const recorded = results.flat().filter((o) => o.status === 'recorded');
    expect(recorded).toHaveLength(3);
    for (const result of results)
      expect(result.map((o) => o.position)).toEqual(recorded.map((o) => o.position));
    expect(await store.readStream(customer)).toHaveLength(2);
  });

  it('close() ends running subscriptions and their LISTEN connections', async () => {
    const listeners = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            `select count(*) as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'`,
          )
        ).rows[0]!.n,
      );
    const own = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    const consuming = (async () => {
      for await (const _batch of own.subscribeAll({ after: await own.headPosition() })) {
        // nothing to do: only the connection matters here
      }
    })();
    await eventually(async () => ((await listeners()) === 1 ? true : undefined), 'a LISTEN connection');
    await own.close();
    await consuming;
    await eventually(async () => ((await listeners()) === 0 ? true : undefined), 'no LISTEN connection');
  });

  it('applies each migration once when several services migrate at the same time', async () => {
    const table = `crh.test_migrations_${randomUUID().replaceAll('-', '')}`;
    const name = table.replace('crh.', 'crh.t_');
    const migrations = [
      { name: '001', sql: `create table ${name} (n int)` },
      { name: '002', sql: `insert into ${name} values (1)` },
    ];
    await Promise.all(Array.from({ length: 4 }, () => runMigrations(pool, { table, migrations })));
    await runMigrations(pool, { table, migrations });
    const { rows } = await pool.query<{ n: number }>(`select n from ${name}`);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
