import { randomUUID } from 'node:crypto';
import { canonicalJson, validateEventBatch } from '@crh/domain';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestServer, listenIngest } from '../testing/ingest-server.ts';

// Properties of POST /v1/events over generated batches, against the running
// ingest and a real PostgreSQL log: whatever the validator accepts is stored
// as validated and replays the same every time; whatever it refuses stores
// nothing and is answered 4xx. The generators lean on the edges: NUL, lone
// surrogates, astral characters, odd keys, numbers of every size.

/** Text a store keeps (astral characters, quotes, escapes, controls but NUL), now and then text it cannot. */
const text = (minLength: number, maxLength: number) =>
  fc.oneof(
    {
      weight: 20,
      arbitrary: fc.string({
        unit: fc.constantFrom('a', 'Z', 'é', '😀', '"', '\\', ' ', '\t', '\u0001'),
        minLength,
        maxLength,
      }),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00'),
        minLength,
        maxLength,
      }),
    },
  );
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 20, arbitrary: good }, { weight: 1, arbitrary: bad });

const channel = fc.constantFrom('call', 'email');
const typeAndData = mostly<{ type: string; data: Record<string, unknown> }>(
  fc.oneof(
    fc
      .record(
        { channel, direction: fc.constantFrom('inbound', 'outbound'), summary: text(0, 30) },
        { requiredKeys: ['channel', 'direction'] },
      )
      .map((data) => ({ type: 'ContactLogged', data })),
    fc
      .record({ channel, summary: text(0, 30) }, { requiredKeys: ['channel'] })
      .map((data) => ({ type: 'ComplimentReceived', data })),
  ),
  fc.constant({ type: 'ContactLost', data: {} }),
);

const envelope = fc
  .tuple(
    typeAndData,
    fc.record(
      {
        id: fc.uuid(),
        customerId: mostly(fc.constantFrom('prop-a', 'prop-b', 'prop.c'), text(0, 8)),
        occurredAt: mostly(
          fc
            .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString()),
          fc.constantFrom(
            '2026-03-01T10:15:00+01:00',
            '2026-02-30T00:00:00Z',
            '2026-03-01 10:15:00.123456789Z',
          ),
        ),
        actorId: text(1, 12),
        metadata: fc.dictionary(text(0, 6), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      },
      { requiredKeys: ['id', 'customerId', 'occurredAt'] },
    ),
  )
  .map(([{ type, data }, rest]) => ({ ...rest, type, data }));

const batch = fc.array(envelope, { minLength: 1, maxLength: 3 }).chain((events) =>
  // Sometimes an id twice: the same event again, or another event under it.
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(events) },
    { weight: 1, arbitrary: fc.constant([...events, events[0]!]) },
    { weight: 1, arbitrary: fc.constant([...events, { ...events[0]!, actorId: 'someone-else' }]) },
  ),
);

describe('POST /v1/events: properties over generated batches', () => {
  let ingest: IngestServer;
  let database: PlatformTestDatabase;
  let feeder: string;
  let analyst: string;

  beforeAll(async () => {
    database = await openPlatformTestDatabase();
    ingest = await listenIngest(database.store, { limits: { append: '100000/min', read: '100000/min' } });
    feeder = await ingest.auth.bearer('ingest');
    analyst = await ingest.auth.bearer('analyst');
  });
  afterAll(async () => {
    await ingest?.close();
    await database?.close();
  });

  const logSize = async () =>
    Number((await database.pool.query<{ n: string }>('select count(*) as n from crh.events')).rows[0]!.n);
  const streamText = async (customerId: string) => {
    // '.' and '..' are customer ids too: escaped, so no URL resolution eats them.
    const path = encodeURIComponent(customerId).replaceAll('.', '%2E');
    const response = await fetch(`${ingest.base}/v1/customers/${path}/events`, {
      headers: { authorization: analyst },
    });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('stores what the validator accepts as validated, replaying it the same each time; stores nothing of what it refuses', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(batch, async (generated) => {
        // Fresh ids each run (the log outlives runs), the same fresh id for the same generated one.
        const ids = new Map<string, string>();
        const events = generated.map((e) => {
          if (!ids.has(e.id)) ids.set(e.id, randomUUID());
          return { ...e, id: ids.get(e.id)! };
        });
        const body = { events };
        const verdict = validateEventBatch(JSON.parse(JSON.stringify(body)));
        const before = await logSize();
        const response = await fetch(`${ingest.base}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: feeder },
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as { results?: { id: string; status: string }[] };
        if (!verdict.ok) {
          expect(response.status).toBe(400);
          expect(await logSize()).toBe(before);
          seen.refused += 1;
          return;
        }
        expect(response.status).toBe(200);
        seen.accepted += 1;
        const firstOfId = new Map(verdict.events.map((e) => [e.id, e] as const).reverse());
        expect(await logSize()).toBe(before + firstOfId.size);
        expect(answer.results?.map((r) => r.id)).toEqual(verdict.events.map((e) => e.id));
        for (const customerId of new Set(verdict.events.map((e) => e.customerId))) {
          const replayed = await streamText(customerId);
          expect(await streamText(customerId)).toBe(replayed);
          const stored = (JSON.parse(replayed) as { events: Record<string, unknown>[] }).events;
          for (const sent of [...firstOfId.values()].filter((e) => e.customerId === customerId)) {
            const found = stored.find((e) => e.id === sent.id);
            const { position: _p, revision: _r, recordedAt: _at, ...envelopeStored } = found ?? {};
            expect(canonicalJson(envelopeStored)).toBe(canonicalJson(sent));
          }
        }
      }),
      { numRuns: 100 },
    );
    // Both sides of the property were exercised, not just one.
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });
});
