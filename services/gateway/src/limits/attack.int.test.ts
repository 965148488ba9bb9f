import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import type { HeapReport, MemoryBoundedGatewayOptions } from '../../testing/memory-bounded-gateway.ts';
import { sizeableBook } from '../../testing/sizeable-book.ts';

const CUSTOMERS = 600;
const EVENTS_PER_CUSTOMER = 60;
/** The gateway's old space: a gateway that needs more dies (and the test with it). */
const HEAP_LIMIT_MB = 256;
/**
 * What the gateway's heap (heapUsed, garbage not yet collected included)
 * stays below while it answers and refuses everything below: measured
 * 100-165 MB on the development machine, the most of it eight answers of
 * about 10,000 events each at once (what the cost budget allows).
 */
const HEAP_BOUND_MB = 200;

const timelines = (alias: string, relationships: number, events: number) =>
  `${alias}: relationships(first: ${relationships}) { edges { node { customerId
     timeline(first: ${events}) { edges { node { id type data } } } } } }`;

/** The attack: 693 bytes, two aliases of 500 relationships with 500 events each. */
const ATTACK = `{ ${timelines('a', 500, 500)} ${timelines('b', 500, 500)} }`;
/** Just under the default cost (50,000), each as heavy as the budget allows in its own way. */
const UNDER = {
  deepTimelines: `{ ${timelines('r', 99, 99)} }`,
  wideTimelines: `{ ${timelines('r', 500, 19)} }`,
  wholeRelationships: `{ r: relationships(first: 300) { totalCount edges { node {
      customerId name tier status daysSinceContact
      health { score band factors { factor points detail } }
      statusHistory { status from to }
      complaints(first: 5) { edges { node { complaintId status receivedAt } } }
      promises(first: 5) { edges { node { promiseId status dueAt } } } } } } }`,
};

interface Answer {
  status: number;
  errors?: { message: string; extensions?: { code?: string } }[];
  data?: Record<string, { edges: unknown[] }>;
}

describe('the issue’s attack, against a gateway whose heap is bounded', () => {
  let fixture: GatewayFixture;
  let gateway: ChildProcess;
  let url: string;
  let admin: string;

  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC');
    admin = await fixture.auth.bearer('admin');
    const today = new Date().toISOString().slice(0, 10);
    const book = sizeableBook({
      customers: CUSTOMERS,
      managers: 12,
      eventsPerCustomer: EVENTS_PER_CUSTOMER,
      endDate: today,
    });
    for (let i = 0; i < book.length; i += 2_000) {
      await fixture.database.store.append(book.slice(i, i + 2_000));
    }
    await fixture.record([]); // projects what is in the log
    while ((await fixture.projector.catchUp()) > 0) {}

    const options: MemoryBoundedGatewayOptions = {
      databaseUrl: fixture.database.url,
      auth: fixture.auth.settings,
      timeZone: 'UTC',
    };
    gateway = fork(fileURLToPath(new URL('../../testing/memory-bounded-gateway.ts', import.meta.url)), {
      execArgv: [`--max-old-space-size=${HEAP_LIMIT_MB}`],
      env: { ...process.env, CRH_TEST_GATEWAY: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    url = await new Promise<string>((resolve, reject) => {
      gateway.once('message', (message) => resolve((message as { url: string }).url));
      gateway.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening`)));
    });
  }, 300_000);

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.send('stop');
      await exited;
    }
    await fixture?.close();
  });

  async function ask(query: string): Promise<Answer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
  }

  const heap = () =>
    new Promise<HeapReport>((resolve) => {
      gateway.once('message', (report) => resolve(report as HeapReport));
      gateway.send('memory');
    });

  it('refuses eight concurrent attacks, answers eight of each heaviest query under the budget, and stays alive and small', async () => {
    expect(Buffer.byteLength(ATTACK)).toBeLessThan(800);
    await heap(); // reset the peak

    const attacks = await Promise.all(Array.from({ length: 8 }, () => ask(ATTACK)));
    for (const answer of attacks) {
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(answer.data).toBeUndefined();
    }

    const served: Record<string, number> = {};
    const peaks: Record<string, number> = { attacks: (await heap()).peakHeapUsed };
    for (const [name, query] of Object.entries(UNDER)) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => ask(query)));
      for (const answer of answers) {
        expect(answer.errors, name).toBeUndefined();
        expect(answer.status).toBe(200);
      }
      served[name] = answers[0]!.data!.r!.edges.length;
      peaks[name] = (await heap()).peakHeapUsed;
    }
    // Real work was done: the lists are full, and the timelines hold events.
    expect(served).toEqual({ deepTimelines: 99, wideTimelines: 500, wholeRelationships: 300 });

    const mb = Object.entries(peaks).map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(0)} MB`);
    console.log(`[crh tests] gateway heap peaks (bound ${HEAP_BOUND_MB} MB): ${mb.join(', ')}`);
    for (const bytes of Object.values(peaks)) expect(bytes).toBeLessThan(HEAP_BOUND_MB * 2 ** 20);

    // Still answering.
    const after = await ask('{ relationships(first: 3) { totalCount edges { node { customerId } } } }');
    expect(after.status).toBe(200);
    expect(after.data?.relationships?.edges).toHaveLength(3);
    expect(gateway.exitCode).toBeNull();
  }, 180_000);
});
