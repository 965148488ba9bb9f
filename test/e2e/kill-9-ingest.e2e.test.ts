import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { openTestAuth } from '@crh/auth/testing';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import { expectStreams, logInOrder, sessionsGone, storedCount } from '../support/crash-checks.ts';
import { kill9, postEvents, type ServiceProcess, startService, waitFor } from '../support/service-process.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WRITERS = 6;
const CUSTOMERS_PER_WRITER = 4;
const EVENTS_PER_CUSTOMER = 10;

interface Batch {
  events: { id: string; customerId: string }[];
  /** Posts so far. */
  attempts: number;
  /** The statuses of the 2xx answer that acknowledged it, and which post that was. */
  statuses?: string[];
  ackedOn?: number;
}

// Ingest is killed with -9 while clients have batches in flight, and started
// again; clients re-send every batch that got no 2xx with the same ids. A
// batch is recorded whole or not at all, so at the moment of the kill each
// batch in flight is either wholly in the log or not at all, and its retry
// answers all `duplicate` or all `recorded`. Afterwards each customer's
// stream is exactly its acknowledged events, once, in the order sent.
describe('ingest killed with -9 mid-load', () => {
  it('keeps every acknowledged event once and in order, and never half a batch', async () => {
    const database = await createTestDatabase();
    const auth = await openTestAuth();
    const port = await getPort();
    const url = `http://127.0.0.1:${port}`;
    let ingest: ServiceProcess = startService('ingest', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
      INGEST_PORT: String(port),
      // The writers post as fast as they can: the per-token cap is not under test here.
      CRH_INGEST_RATE_LIMIT: '1000000/min',
    });
    const ready = () =>
      waitFor(async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined), { what: 'ingest ready' });
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-check' });
    try {
      await ready();
      const token = await auth.bearer('ingest');

      // Each writer owns its customers and posts one batch after another
      // (10 events of each of its customers, interleaved); a batch that got
      // no 2xx is sent again, same ids, before the next.
      const batches: Batch[] = [];
      const inFlight = new Set<Batch>();
      let acknowledged = 0;
      let loading = true;
      const send = async (batch: Batch): Promise<boolean> => {
        inFlight.add(batch);
        const attempt = ++batch.attempts;
        try {
          const response = await postEvents(url, token, batch.events);
          if (!response.ok) {
            await response.body?.cancel();
            return false;
          }
          const body = (await response.json()) as { results: { status: string }[] };
          batch.statuses = body.results.map((r) => r.status);
          batch.ackedOn = attempt;
          return true;
        } catch {
          return false; // connection refused or reset: no answer
        } finally {
          inFlight.delete(batch);
        }
      };
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let b = 0; loading; b++) {
          const events = [];
          for (let i = 0; i < EVENTS_PER_CUSTOMER; i++) {
            for (let c = 0; c < CUSTOMERS_PER_WRITER; c++) {
              const minute = b * EVENTS_PER_CUSTOMER + i;
              events.push({
                id: randomUUID(),
                type: 'ContactLogged',
                customerId: `k9i-${w}-${c}`,
                occurredAt: new Date(Date.UTC(2026, 0, 5) + minute * 60_000).toISOString(),
                data: { channel: 'call', direction: 'outbound' },
              });
            }
          }
          const batch: Batch = { events, attempts: 0 };
          batches.push(batch);
          while (!(await send(batch))) await pause(100);
          acknowledged++;
        }
      });

      await waitFor(async () => (acknowledged >= 20 ? true : undefined), {
        timeoutMs: 30_000,
        what: '20 acknowledged batches',
      });
      // What the kill lands on: these posts may or may not have been recorded, or even answered.
      const hit = new Map([...inFlight].map((b) => [b, b.attempts]));
      expect(await kill9(ingest)).toBe('SIGKILL');
      expect(hit.size, 'batches in flight at the kill').toBeGreaterThan(0);

      // Once its sessions are gone, each batch it had in flight is in the log whole or not at all.
      await sessionsGone(pool, 'ingest');
      const storedAtKill = new Map<Batch, boolean>();
      for (const batch of hit.keys()) {
        const stored = await storedCount(
          pool,
          batch.events.map((e) => e.id),
        );
        expect([0, batch.events.length], 'a batch in flight at the kill is all or nothing').toContain(stored);
        storedAtKill.set(batch, stored > 0);
      }

      await pause(500); // clients meet refused connections for a while
      ingest = startService('ingest', ingest.env);
      await ready();
      const atRestart = acknowledged;
      await waitFor(async () => (acknowledged >= atRestart + 20 ? true : undefined), {
        timeoutMs: 30_000,
        what: '20 more acknowledged batches after the restart',
      });
      loading = false;
      await Promise.all(writers);

      // A post in flight at the kill that was still answered had been recorded
      // whole; otherwise the retry answered as the kill left things: all
      // duplicate, or all recorded.
      for (const [batch, attempt] of hit) {
        const stored = storedAtKill.get(batch);
        const expected = batch.ackedOn === attempt || !stored ? 'recorded' : 'duplicate';
        if (batch.ackedOn === attempt) expect(stored).toBe(true);
        expect(batch.statuses).toEqual(batch.events.map(() => expected));
      }
      // Batches never in doubt were recorded, never answered duplicate.
      for (const batch of batches.filter((b) => !storedAtKill.has(b))) {
        expect(new Set(batch.statuses)).toEqual(new Set(['recorded']));
      }

      const expected = new Map<string, string[]>();
      for (const batch of batches) {
        for (const e of batch.events)
          expected.set(e.customerId, [...(expected.get(e.customerId) ?? []), e.id]);
      }
      const log = await logInOrder(pool);
      expect(log).toHaveLength(batches.reduce((n, b) => n + b.events.length, 0));
      expectStreams(log, expected);
      expect(await ingest.stop(), ingest.output().slice(-2000)).toBe(0);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ingest ---\n${ingest.output().slice(-3000)}`, {
        cause: error,
      });
    } finally {
      await ingest.stop();
      await pool.end();
      await database.drop();
    }
  });
});
