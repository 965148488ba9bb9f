import { randomBytes, randomUUID } from 'node:crypto';
import { PERSONAL_DATA_FIELDS } from '@crh/domain';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '@crh/read-models/schema';
import { describe, expect, it } from 'vitest';
import { runRebuild } from '../support/crash-checks.ts';
import { databaseDump } from '../support/database-dump.ts';
import { usePlatform } from '../support/platform-context.ts';
import { snapshot } from '../support/read-model-snapshot.ts';
import { postEvents, waitFor } from '../support/service-process.ts';

// An admin erases a customer with one call (docs/erasure.md): nothing in the
// database, the stream API, the replay or GraphQL shows what was erased
// any more, every number stays as it was, and a rebuild gives the same.

type Json = Record<string, unknown>;

/** Events of one customer, every personal field of the catalogue filled with `marker`. */
function history(customerId: string, marker: string, options: { rename?: boolean } = {}) {
  let n = 0;
  const event = (type: string, occurredAt: string, data: Json, extra: Json = {}) => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt: `${occurredAt}T${String(9 + (n++ % 8)).padStart(2, '0')}:00:00Z`,
    data,
    ...extra,
  });
  return [
    event('CustomerOnboarded', '2026-01-05', {
      name: `${marker} name`,
      tier: 'key',
      accountManagerId: 'am-e',
    }),
    ...(options.rename ? [event('CustomerProfileUpdated', '2026-01-20', { name: `${marker} renamed` })] : []),
    event(
      'ContactLogged',
      '2026-01-06',
      { channel: 'call', direction: 'outbound', summary: `${marker} summary` },
      { metadata: { crmNote: `${marker} metadata` } },
    ),
    event('ComplaintReceived', '2026-01-07', {
      complaintId: 'k1',
      channel: 'email',
      severity: 'high',
      summary: `${marker} complaint`,
    }),
    event('ComplaintAcknowledged', '2026-01-07', { complaintId: 'k1' }),
    event('ComplaintUpdateSent', '2026-01-08', { complaintId: 'k1', message: `${marker} message` }),
    event('ComplaintResolved', '2026-01-09', { complaintId: 'k1', resolution: `${marker} resolution` }),
    event('ComplaintReopened', '2026-01-10', { complaintId: 'k1', reason: `${marker} reopened` }),
    event('RecoveryGestureMade', '2026-01-10', {
      complaintId: 'k1',
      kind: 'flowers',
      note: `${marker} note`,
    }),
    event('ComplaintFeedbackReceived', '2026-01-11', {
      complaintId: 'k1',
      satisfied: true,
      improvement: `${marker} improvement`,
    }),
    event('ComplimentReceived', '2026-01-12', {
      channel: 'chat',
      about: `${marker} about`,
      summary: `${marker} compliment`,
    }),
    event('NpsResponded', '2026-01-13', { score: 9, comment: `${marker} comment` }),
    event('PromiseMade', '2026-01-14', {
      promiseId: 'p1',
      description: `${marker} promise`,
      dueAt: '2026-01-30T12:00:00Z',
    }),
    event('PromiseMade', '2026-01-14', {
      promiseId: 'p2',
      description: `${marker} second promise`,
      dueAt: '2026-02-03T12:00:00Z',
    }),
    event('PromiseCancelled', '2026-01-15', { promiseId: 'p2', reason: `${marker} cancelled` }),
    event(
      'DelightMomentRecorded',
      '2026-01-16',
      { kind: 'unprompted', description: `${marker} delight` },
      { actorId: 'am-e' },
    ),
  ];
}

/** The read models with an erased customer's personal text nulled, as the erasure must leave them. */
function withTextErased(tables: Record<string, string[]>, customerIds: readonly string[]) {
  const erased = (row: Json) => customerIds.includes(row.customer_id as string);
  const map = (table: string, f: (row: Json) => Json) =>
    tables[table]!.map((text) => JSON.parse(text) as Json).map((row) => (erased(row) ? f(row) : row));
  const json = (rows: Json[]) => rows.map((row) => JSON.stringify(row)).sort();
  return {
    ...tables,
    'crh.rm_relationships': json(
      map('crh.rm_relationships', (row) => ({
        ...row,
        fold: JSON.stringify({ ...(JSON.parse(row.fold as string) as Json), name: null }),
      })),
    ),
    'crh.rm_relationship_intervals': json(
      map('crh.rm_relationship_intervals', (row) => ({ ...row, name: null })),
    ),
    'crh.rm_promises': json(map('crh.rm_promises', (row) => ({ ...row, description: null }))),
    'crh.rm_customer_signals': json(
      map('crh.rm_customer_signals', (row) => ({
        ...row,
        history: JSON.stringify(
          (JSON.parse(row.history as string) as Json[]).map(({ what: _what, ...entry }) => entry),
        ),
      })),
    ),
  };
}

/** The snapshot's rows as JSON text again, in its form (to_jsonb key order). */
const normalised = (tables: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [
      table,
      rows.map((row) => JSON.stringify(JSON.parse(row))).sort(),
    ]),
  );

describe('erasing a customer (docs/erasure.md)', () => {
  const ctx = usePlatform();

  const head = async () => {
    const { rows } = await ctx.db.query<{ head: string }>(
      `select lpad(to_hex(tx_id::text::bigint), 16, '0') || lpad(to_hex(position), 16, '0') as head
         from crh.events order by tx_id desc, position desc limit 1`,
    );
    return rows[0]!.head;
  };
  const projected = async () => {
    const target = await head();
    await waitFor(
      async () => ((await readCheckpoint(ctx.db, RELATIONSHIPS_PROJECTION)) === target ? true : undefined),
      {
        what: 'the projector to catch up',
      },
    );
  };
  const erase = (customerId: string, authorization: string, body?: Json) =>
    fetch(`${ctx.platform.ingest}/v1/customers/${customerId}/erasure`, {
      method: 'POST',
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const gql = async (query: string, variables: Json) => {
    const response = await fetch(ctx.platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await ctx.platform.auth.bearer('lead') },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Json; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };

  it('leaves no personal string anywhere, answers the same when repeated, and changes no number', async () => {
    const suffix = randomBytes(4).toString('hex');
    const [anna, carla, bert] = [`er-anna-${suffix}`, `er-carla-${suffix}`, `er-bert-${suffix}`];
    const [annaMark, carlaMark, bertMark] = [`Annadottir${suffix}`, `Carlasson${suffix}`, `Bertsen${suffix}`];
    const ingest = await ctx.platform.auth.bearer('ingest');
    const annaEvents = history(anna, annaMark);
    const posted = await postEvents(ctx.platform.ingest, ingest, [
      ...annaEvents,
      ...history(carla, carlaMark, { rename: true }),
      ...history(bert, bertMark),
    ]);
    // What each of Anna's events reads as after the erasure: erased when it held personal data.
    const personal = annaEvents.map(
      (e) => 'metadata' in e || Object.keys(e.data).some((field) => PERSONAL_DATA_FIELDS.has(field)),
    );
    expect(personal).toContain(false); // ComplaintAcknowledged: nothing personal, nothing erased
    expect(posted.status, await posted.clone().text()).toBe(200);
    await projected();
    const before = await snapshot(ctx.db);
    expect((await databaseDump(ctx.db, ctx.url)).includes(`${annaMark} name`)).toBe(true); // the read models had it

    // Only an admin may erase; a bad body or an unknown customer changes nothing.
    const admin = await ctx.platform.auth.bearer('admin');
    expect((await erase(anna, await ctx.platform.auth.bearer('lead'))).status).toBe(403);
    expect((await erase(anna, admin, { reason: 'x', why: 'y' })).status).toBe(400);
    const unknown = await erase(`nobody-${suffix}`, admin);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'urn:crh:problem:unknown-customer' });
    expect((await ctx.db.query('select 1 from crh.customer_keys where erased_at is not null')).rowCount).toBe(
      0,
    );

    const first = await erase(anna, admin, { reason: 'DSR-2026-041' });
    expect(first.status, await first.clone().text()).toBe(200);
    const answer = (await first.json()) as { customerId: string; erasedAt: string; position: string };
    expect(answer).toEqual({
      customerId: anna,
      erasedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      position: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const again = await erase(anna, admin);
    expect(await again.json()).toEqual(answer);
    expect(
      Number(
        (await ctx.db.query(`select count(*) from crh.events where type = 'CustomerDataErased'`)).rows[0]
          .count,
      ),
    ).toBe(1);
    expect((await erase(carla, admin)).status).toBe(200);
    await projected();

    // Every number as it was; the personal text gone. Carla's rename made
    // two intervals of what is now one (the name was all they differed in):
    // her intervals are compared by the rebuild below.
    const after = await snapshot(ctx.db);
    // The checkpoints moved on, as they should.
    const withoutCarla = ({
      'crh.projection_checkpoints': _checkpoints,
      'crh.projection_partitions': _partitions,
      ...tables
    }: Record<string, string[]>) => ({
      ...tables,
      'crh.rm_relationship_intervals': tables['crh.rm_relationship_intervals']!.filter(
        (r) => !r.includes(carla),
      ),
    });
    expect(withoutCarla(normalised(after))).toEqual(
      withoutCarla(withTextErased(normalised(before), [anna, carla])),
    );
    for (const table of ['crh.rm_kpi_levels', 'crh.rm_kpi_day_counts', 'crh.relationship_status_changes']) {
      expect(after[table], table).toEqual(before[table]);
    }

    // Nothing of Anna's or Carla's in the whole database; Bert's name still in his read models.
    const dump = await databaseDump(ctx.db, ctx.url);
    expect(dump).not.toContain(annaMark);
    expect(dump).not.toContain(carlaMark);
    expect(dump).toContain(`${bertMark} name`);

    // The stream API and the replay: fields null, events marked erased; Bert's intact.
    const analyst = await ctx.platform.auth.bearer('analyst');
    const stream = (await (
      await fetch(`${ctx.platform.ingest}/v1/customers/${anna}/events`, {
        headers: { authorization: analyst },
      })
    ).json()) as { events: Json[] };
    expect(stream.events.at(-1)).toMatchObject({ type: 'CustomerDataErased', data: {} });
    expect(stream.events.map((e) => e.erased === true)).toEqual([...personal, false]);
    expect(stream.events[0]!.data).toEqual({ name: null, tier: 'key', accountManagerId: 'am-e' });
    expect(stream.events[1]).not.toHaveProperty('metadata');
    const replay = await (
      await fetch(`${ctx.platform.ingest}/v1/events`, { headers: { authorization: analyst } })
    ).text();
    expect(replay).not.toContain(annaMark);
    expect(replay).not.toContain('enc:v1:');
    expect(replay).toContain(`${bertMark} summary`);
    const lines = replay
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    const annaLines = lines.filter((l) => l.customerId === anna);
    // The replay's lines as toEnvelope prints them: `erased` last, where set.
    expect(annaLines.map((l) => Object.keys(l).at(-1))).toEqual([
      ...personal.map((p) => (p ? 'erased' : 'revision')),
      'revision',
    ]);

    // GraphQL: the name and the promises' text null, the timeline marked; the figures as before.
    const relationship = (
      await gql(
        `query ($id: ID!) { relationship(customerId: $id, asOf: "2026-01-20") {
         name status promises(first: 10) { edges { node { description status } } }
         timeline(first: 50) { edges { node { type erased data } } } } }`,
        { id: anna },
      )
    ).relationship as {
      name: string | null;
      status: string;
      promises: { edges: { node: Json }[] };
      timeline: { edges: { node: Json }[] };
    };
    expect(relationship.name).toBeNull();
    expect(relationship.promises.edges.map((e) => e.node.description)).toEqual([null, null]);
    const timeline = relationship.timeline.edges.map((e) => e.node);
    expect(timeline.filter((e) => e.erased === true)).toHaveLength(personal.filter(Boolean).length);
    expect(JSON.stringify(timeline)).not.toContain(annaMark);
    const bertName = (await gql('query ($id: ID!) { relationship(customerId: $id) { name } }', { id: bert }))
      .relationship as { name: string };
    expect(bertName.name).toBe(`${bertMark} name`);

    // New personal data for Anna is refused; an event without any is taken.
    const refused = await postEvents(ctx.platform.ingest, ingest, [
      history(anna, 'again')[1]!, // ContactLogged, with a summary
    ]);
    expect(refused.status).toBe(409);

    // The audit trail: who, when, why; every request, repeats included.
    const { rows: audit } = await ctx.db.query<{
      customer_id: string;
      requested_by: string;
      reason: string | null;
      first: boolean;
    }>('select customer_id, requested_by, reason, first from crh.customer_erasures order by id');
    expect(audit.map((a) => [a.customer_id, a.reason, a.first])).toEqual([
      [anna, 'DSR-2026-041', true],
      [anna, null, false],
      [carla, null, true],
    ]);
    expect(new Set(audit.map((a) => a.requested_by)).size).toBe(1);

    // A rebuild from the log (read erased) gives the very same read models.
    await runRebuild(ctx.url, ctx.platform.dataDir);
    expect(await snapshot(ctx.db)).toEqual(after);
  });

  it('erases a customer in the middle of a rebuild: no plaintext left, no projection stuck', async () => {
    const suffix = randomBytes(4).toString('hex');
    const target = `mid-${suffix}`;
    const mark = `Middelburg${suffix}`;
    const ingest = await ctx.platform.auth.bearer('ingest');
    // 1,200 customers of 10 events, the target's among them and one more at the log's end.
    for (let batch = 0; batch < 24; batch++) {
      const events = [];
      for (let i = 0; i < 50; i++) {
        const customerId = batch === 6 && i === 0 ? target : `mid-${suffix}-${batch}-${i}`;
        events.push(...history(customerId, customerId === target ? mark : `Other${suffix}`).slice(0, 10));
      }
      const posted = await postEvents(ctx.platform.ingest, ingest, events);
      expect(posted.status, await posted.clone().text()).toBe(200);
    }
    const late = await postEvents(ctx.platform.ingest, ingest, [
      { ...history(target, mark)[1]!, id: randomUUID(), occurredAt: '2026-02-01T10:00:00Z' },
    ]);
    expect(late.status).toBe(200);
    await projected();

    // A rebuild under way when the erasure comes (a replay under way: see
    // the sealed store's test, where the moment is exact).
    const rebuild = runRebuild(ctx.url, ctx.platform.dataDir);
    await new Promise((r) => setTimeout(r, 300));
    const erased = await erase(target, await ctx.platform.auth.bearer('admin'));
    expect(erased.status).toBe(200);
    await rebuild;
    await projected();

    // No plaintext anywhere in the database, nothing parked, and the read models are what a rebuild gives.
    expect(await databaseDump(ctx.db, ctx.url)).not.toContain(mark);
    expect((await ctx.db.query('select 1 from crh.parked_events')).rowCount).toBe(0);
    const live = await snapshot(ctx.db);
    await runRebuild(ctx.url, ctx.platform.dataDir);
    expect(await snapshot(ctx.db)).toEqual(live);
  });
});
