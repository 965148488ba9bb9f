import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { openTestAuth } from '@crh/auth/testing';
import type { AppendEvent } from '@crh/event-store';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase, runKafkaBrokers, testEvent } from '@crh/testing';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { logInOrder, sessionsGone } from '../support/crash-checks.ts';
import { idsByKey, readTopic } from '../support/relay-topic.ts';
import { kill9, type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

// The relay is killed with -9 twice while it sends a backlog to the topic
// (events keep arriving), and started again each time. A batch can be on the
// topic without its checkpoint (the kill fell between the acks and the
// checkpoint write): the restarted relay asks the topic where each
// partition ends and skips what is there. Afterwards the topic holds each
// event of the log exactly once, each customer's in log order. The broker is
// the test run's (KAFKA_BROKERS, else one the run starts: see docs/testing.md).
describe('relay killed with -9 mid-relay', () => {
  it('holds each event of the log exactly once per key, in order', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-check' });
    const store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    const auth = await openTestAuth();
    const topic = `crh.events.test-k9-${randomUUID().slice(0, 8)}`;
    const brokers = runKafkaBrokers();
    let relay: ServiceProcess | undefined;
    let appending = true;
    let appender: Promise<void> | undefined;
    try {
      await store.migrate();
      const events = (count: number, prefix: string): AppendEvent[] =>
        Array.from({ length: count }, (_, i) =>
          testEvent(`${prefix}-${(i * 7919) % 61}`, 'ContactLogged', '2026-03-02T10:15:00Z', {
            channel: 'call',
            direction: 'outbound',
          }),
        );
      for (let i = 0; i < 6; i++) await store.append(events(500, `k9r${i}`));
      const checkpoint = async () =>
        (
          await pool.query<{ position: string }>(
            'select position from crh.relay_checkpoints where topic = $1',
            [topic],
          )
        ).rows[0]?.position;
      const behind = async () => {
        const at = await checkpoint();
        return (await logInOrder(pool)).filter((e) => at === undefined || e.position > at).length;
      };

      relay = startService('relay', {
        DATABASE_URL: database.url,
        HOST: '127.0.0.1',
        CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
        KAFKA_BROKERS: brokers.join(','),
        RELAY_TOPIC: topic,
        RELAY_PARTITIONS: '6',
        // Small batches: many checkpoints to land the kill between.
        RELAY_BATCH_SIZE: '50',
        RELAY_PORT: String(await getPort()),
      });
      // Events keep arriving throughout: before, between and after the kills.
      appender = (async () => {
        for (let n = 0; appending; n++) {
          await store.append(events(20, `k9r-live${n % 10}`));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      // Two kills, each after the checkpoint moved on from where that run started.
      let from: string | undefined;
      for (let kill = 0; kill < 2; kill++) {
        const start = from;
        await waitFor(
          async () => {
            const at = await checkpoint();
            return at !== undefined && (start === undefined || at > start) ? true : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 10, what: `the relay's checkpoint to move (run ${kill + 1})` },
        );
        expect(await kill9(relay)).toBe('SIGKILL');
        await sessionsGone(pool, 'relay');
        from = await checkpoint();
        expect(await behind(), `killed before it caught up (kill ${kill + 1})`).toBeGreaterThan(0);
        relay = startService('relay', relay.env);
      }

      await new Promise((r) => setTimeout(r, 1_000));
      appending = false;
      await appender;
      const log = await logInOrder(pool);
      const last = log.at(-1)!.position;
      await waitFor(async () => ((await checkpoint()) === last ? true : undefined), {
        timeoutMs: 60_000,
        what: 'the relay to catch up',
      });
      expect(await relay.stop(), relay.output().slice(-2000)).toBe(0);

      const messages = await readTopic(brokers, topic);
      expect(messages).toHaveLength(log.length);
      expect(idsByKey(messages)).toEqual(idsByKey(log.map((e) => ({ key: e.customerId, id: e.id }))));
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- relay ---\n${relay?.output().slice(-3000)}`, {
        cause: error,
      });
    } finally {
      appending = false;
      await appender?.catch(() => undefined);
      await relay?.stop();
      await store.close();
      await pool.end();
      await database.drop();
    }
  });
});
