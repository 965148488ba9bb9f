import { randomUUID } from 'node:crypto';
import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { describe, expect, it } from 'vitest';
import { expectStreams, logInOrder, sessionsGone } from '../support/crash-checks.ts';
import {
  kill9,
  type Platform,
  postEvents,
  startPlatform,
  startService,
  waitFor,
} from '../support/service-process.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLIENTS = 6;
const MANAGER = 'am-k9';

interface Mutation {
  input: {
    customerId: string;
    channel: string;
    direction: string;
    occurredAt: string;
    summary: string;
    clientMutationId: string;
  };
  attempts: number;
  /** The answer that acknowledged it, and which post that was. */
  answer?: { id: string; position: string };
  ackedOn?: number;
}

const LOG_CONTACT =
  'mutation ($input: LogContactInput!) { logContact(input: $input) { id position occurredAt actorId } }';

// The gateway is killed with -9 while account managers' logContact
// mutations are in flight, and started again on the same port; each client
// re-sends a mutation that got no answer with the same clientMutationId (the
// event id), so a retry of one that was recorded answers the stored event.
// Afterwards every acknowledged contact is in the log once, each customer's
// in the order its client sent them, and nothing is recorded half.
describe('gateway killed with -9 mid-mutation', () => {
  it('records each acknowledged mutation once, in order; a retry with its clientMutationId answers the stored event', async () => {
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 2, applicationName: 'crh-test-check' });
    let platform: Platform | undefined;
    try {
      // The clients post as fast as they can: the per-token cap is not under test here.
      platform = await startPlatform(database.url, { env: { CRH_RATE_LIMIT: '1000000/min' } });
      const gateway = platform.graphql[0]!;
      const customers = Array.from({ length: CLIENTS }, (_, c) => `k9g-${c}`);
      const onboardings = customers.map((customerId) => ({
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId,
        occurredAt: '2026-01-05T09:00:00Z',
        data: { name: customerId, tier: 'key', accountManagerId: MANAGER },
      }));
      const onboarded = await postEvents(platform.ingest, await platform.auth.bearer('ingest'), onboardings);
      expect(onboarded.status).toBe(200);
      const token = await platform.auth.bearer('account-manager', { managerId: MANAGER });
      const relationships = async () => {
        const response = await fetch(gateway, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify({ query: '{ relationships(asOf: "2026-01-20", first: 1) { totalCount } }' }),
        });
        return ((await response.json()) as { data?: { relationships: { totalCount: number } } }).data
          ?.relationships.totalCount;
      };
      await waitFor(async () => ((await relationships()) === CLIENTS ? true : undefined), {
        what: 'the customers onboarded in the read models',
      });

      const sent: Mutation[][] = customers.map(() => []);
      const inFlight = new Set<Mutation>();
      let acknowledged = 0;
      let loading = true;
      const send = async (mutation: Mutation): Promise<boolean> => {
        inFlight.add(mutation);
        const attempt = ++mutation.attempts;
        try {
          const response = await fetch(gateway, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: token },
            body: JSON.stringify({ query: LOG_CONTACT, variables: { input: mutation.input } }),
          });
          if (!response.ok) {
            await response.body?.cancel();
            return false;
          }
          const body = (await response.json()) as {
            data?: { logContact: { id: string; position: string } | null };
            errors?: unknown;
          };
          if (body.errors || !body.data?.logContact) return false;
          mutation.answer = body.data.logContact;
          mutation.ackedOn = attempt;
          return true;
        } catch {
          return false; // connection refused or reset: no answer
        } finally {
          inFlight.delete(mutation);
        }
      };
      // One client per customer, one mutation after another; one that got no answer is sent again first.
      const clients = customers.map(async (customerId, c) => {
        for (let n = 0; loading; n++) {
          const mutation: Mutation = {
            input: {
              customerId,
              channel: 'call',
              direction: 'outbound',
              occurredAt: new Date(Date.UTC(2026, 1, 2) + n * 60_000).toISOString(),
              summary: `call ${n}`,
              clientMutationId: randomUUID(),
            },
            attempts: 0,
          };
          sent[c]!.push(mutation);
          while (!(await send(mutation))) await pause(100);
          acknowledged++;
        }
      });

      await waitFor(async () => (acknowledged >= 20 ? true : undefined), {
        timeoutMs: 30_000,
        what: '20 acknowledged mutations',
      });
      // What the kill lands on: these may or may not have been recorded, or even answered.
      const hit = new Map([...inFlight].map((m) => [m, m.attempts]));
      const killed = platform.services[2]!;
      expect(killed.name).toBe('gateway');
      expect(await kill9(killed)).toBe('SIGKILL');
      expect(hit.size, 'mutations in flight at the kill').toBeGreaterThan(0);

      // Once its sessions are gone, each mutation it had in flight is recorded whole (as sent) or not at all.
      await sessionsGone(pool, 'gateway');
      const storedAtKill = new Map<Mutation, string | undefined>();
      for (const mutation of hit.keys()) {
        const { rows } = await pool.query<{
          customer_id: string;
          occurred_at: Date;
          actor_id: string;
          data: unknown;
          position: string;
        }>(
          `select customer_id, occurred_at, actor_id, data,
                  lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') as position
             from crh.events where id = $1`,
          [mutation.input.clientMutationId],
        );
        expect(rows.length).toBeLessThanOrEqual(1);
        const row = rows[0];
        if (row) {
          expect(row).toMatchObject({
            customer_id: mutation.input.customerId,
            occurred_at: new Date(mutation.input.occurredAt),
            actor_id: MANAGER,
            // The summary is personal: stored sealed with the customer's key (docs/erasure.md).
            data: { channel: 'call', direction: 'outbound', summary: expect.stringMatching(/^enc:v1:/) },
          });
        }
        storedAtKill.set(mutation, row?.position);
      }

      await pause(500); // clients meet refused connections for a while
      const restarted = startService(killed.name, killed.env); // same port, same settings
      platform.services[2] = restarted;
      await waitFor(
        async () => ((await fetch(gateway.replace(/\/graphql$/, '/readyz'))).ok ? true : undefined),
        {
          what: 'the gateway back',
        },
      );
      const atRestart = acknowledged;
      await waitFor(async () => (acknowledged >= atRestart + 20 ? true : undefined), {
        timeoutMs: 30_000,
        what: '20 more acknowledged mutations after the restart',
      });
      loading = false;
      await Promise.all(clients);
      expect(restarted.child.exitCode).toBeNull();

      // A mutation recorded before the kill answers, on its retry, the stored event.
      for (const [mutation] of hit) {
        const stored = storedAtKill.get(mutation);
        expect(mutation.answer?.id).toBe(mutation.input.clientMutationId);
        if (stored !== undefined) expect(mutation.answer?.position).toBe(stored);
        if (mutation.ackedOn === hit.get(mutation)) expect(stored).toBeDefined();
      }

      // Every acknowledged contact once, each customer's in the order sent (after its onboarding).
      const log = await logInOrder(pool);
      const expected = new Map(
        customers.map((customerId, c) => [
          customerId,
          [onboardings[c]!.id, ...sent[c]!.map((m) => m.input.clientMutationId)],
        ]),
      );
      expect(log).toHaveLength(CLIENTS + sent.flat().length);
      expectStreams(log, expected);
      expect(await platform.stop()).toEqual([0, 0, 0]);
    } catch (error) {
      const outputs = platform?.services.map((s) => `--- ${s.name} ---\n${s.output().slice(-3000)}`) ?? [];
      throw new Error(`${(error as Error).message}\n${outputs.join('\n')}`, { cause: error });
    } finally {
      await platform?.stop();
      await pool.end();
      await database.drop();
    }
  });
});
