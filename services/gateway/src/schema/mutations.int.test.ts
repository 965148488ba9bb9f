import { randomUUID } from 'node:crypto';
import type { AppendEvent, RecordedEvent } from '@crh/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayFixture,
  type GraphQLResult,
  openGatewayFixture,
} from '../../testing/gateway-fixture.ts';

type Recorded = Pick<
  RecordedEvent,
  'id' | 'type' | 'customerId' | 'occurredAt' | 'actorId' | 'data' | 'position'
>;
type Answer = GraphQLResult<Record<string, Recorded>> & {
  extensions?: { warnings?: { code: string; message: string; path: string[] }[] };
};

const NOW = '2026-06-01T12:00:00.000Z';
const FIELDS = 'id type customerId occurredAt actorId data position';
const LOG_CONTACT = `mutation ($input: LogContactInput!) { logContact(input: $input) { ${FIELDS} } }`;
const MAKE_PROMISE = `mutation ($input: MakePromiseInput!) { makePromise(input: $input) { ${FIELDS} } }`;
const KEEP = `mutation ($c: ID!, $p: ID!) { keepPromise(customerId: $c, promiseId: $p) { ${FIELDS} } }`;
const CANCEL = `mutation ($c: ID!, $p: ID!, $r: String) {
  cancelPromise(customerId: $c, promiseId: $p, reason: $r) { ${FIELDS} } }`;
const RELATIONSHIP = `query ($id: ID!) { relationship(customerId: $id) {
  accountManagerId lastContactAt openPromises
  promises { edges { node { promiseId description status dueAt keptAt cancelledAt } } } } }`;

// The mutations against a real PostgreSQL with the projector running in the
// background as deployed: read-your-writes is what the next query shows,
// never what a sleep in the test allowed for.
describe('account managers’ mutations', () => {
  let fx: GatewayFixture;
  let am1: string;
  let am2: string;
  let lead: string;
  let analyst: string;
  let ingest: string;
  const run = `${randomUUID().slice(0, 6)}`;
  const mine = `mut-${run}-mine`; // am-1's
  const theirs = `mut-${run}-theirs`; // am-2's
  const moved = `mut-${run}-moved`; // am-1's until 20 May, am-2's since

  const event = (customerId: string, type: string, occurredAt: string, data: object): AppendEvent => ({
    id: randomUUID(),
    type,
    customerId,
    occurredAt,
    data,
  });
  const send = (query: string, variables: Record<string, unknown>, authorization: string) =>
    fx.query(query, variables, NOW, authorization) as Promise<Answer>;
  const stream = (customerId: string) => fx.database.store.readStream(customerId);
  const relationship = async (customerId: string, authorization: string) =>
    (
      (await fx.query(RELATIONSHIP, { id: customerId }, NOW, authorization)) as GraphQLResult<{
        relationship: {
          lastContactAt: string | null;
          openPromises: number;
          promises: { edges: { node: Record<string, unknown> }[] };
        } | null;
      }>
    ).data?.relationship;
  const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;

  beforeAll(async () => {
    fx = await openGatewayFixture('Europe/Amsterdam', { now: NOW, readYourWritesTimeoutMs: 1_500 });
    [am1, am2, lead, analyst, ingest] = await Promise.all([
      fx.auth.bearer('account-manager', { managerId: 'am-1' }),
      fx.auth.bearer('account-manager', { managerId: 'am-2' }),
      fx.auth.bearer('lead', { sub: 'lead-1' }),
      fx.auth.bearer('analyst'),
      fx.auth.bearer('ingest'),
    ]);
    const onboarded = (id: string, manager: string) =>
      event(id, 'CustomerOnboarded', '2026-04-01T08:00:00Z', { name: id, accountManagerId: manager });
    await fx.record([
      onboarded(mine, 'am-1'),
      event(mine, 'ContactLogged', '2026-05-02T10:00:00Z', { channel: 'call', direction: 'outbound' }),
      onboarded(theirs, 'am-2'),
      onboarded(moved, 'am-1'),
      event(moved, 'AccountManagerAssigned', '2026-05-20T10:00:00Z', { accountManagerId: 'am-2' }),
    ]);
  });
  afterAll(() => fx?.close());

  describe('before the projector runs', () => {
    it('answers the durable event after the bounded wait, with a READ_MODELS_LAG warning', async () => {
      const started = performance.now();
      const answer = await send(
        LOG_CONTACT,
        {
          input: {
            customerId: mine,
            channel: 'email',
            direction: 'inbound',
            occurredAt: '2026-05-10T09:00:00Z',
          },
        },
        am1,
      );
      const waited = performance.now() - started;
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.logContact).toMatchObject({ type: 'ContactLogged', actorId: 'am-1' });
      expect(waited).toBeGreaterThanOrEqual(1_400);
      expect(answer.extensions?.warnings).toEqual([
        {
          code: 'READ_MODELS_LAG',
          message:
            'the event is recorded, but the read models had not applied it within 1500 ms: queries may not show it yet',
          path: ['logContact'],
        },
      ]);
      // Durable all the same: it is in the customer's stream.
      expect((await stream(mine)).map((e) => e.id)).toContain(answer.data?.logContact?.id);
    });

    it('waits for the projector, and the next query sees the contact', async () => {
      const pending = send(
        LOG_CONTACT,
        {
          input: {
            customerId: mine,
            channel: 'visit',
            direction: 'outbound',
            occurredAt: '2026-05-30T15:00:00+02:00',
          },
        },
        am1,
      );
      let answered = false;
      void pending.then(() => {
        answered = true;
      });
      // Recorded, but nothing applies it yet: the answer waits.
      for (let i = 0; (await stream(mine)).length < 4; i++) {
        if (i > 200) throw new Error('the mutation recorded nothing');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(answered).toBe(false);
      fx.runProjector();
      const answer = await pending;
      expect(answer.errors).toBeUndefined();
      expect(answer.extensions).toBeUndefined();
      expect(answer.data?.logContact).toMatchObject({
        type: 'ContactLogged',
        customerId: mine,
        occurredAt: '2026-05-30T13:00:00.000Z',
        actorId: 'am-1',
        data: { channel: 'visit', direction: 'outbound' },
      });
      expect((await relationship(mine, am1))?.lastContactAt).toBe('2026-05-30T13:00:00.000Z');
    });
  });

  describe('with the projector running', () => {
    beforeAll(() => fx.runProjector());

    it('records now as occurredAt by default, and the next query sees it', async () => {
      const answer = await send(
        LOG_CONTACT,
        { input: { customerId: mine, channel: 'chat', direction: 'inbound' } },
        am1,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.logContact?.occurredAt).toBe(NOW);
      expect((await relationship(mine, am1))?.lastContactAt).toBe(NOW);
    });

    it('is idempotent by clientMutationId: a retry records nothing and answers the same event', async () => {
      const clientMutationId = randomUUID().toUpperCase();
      const input = {
        customerId: mine,
        channel: 'call',
        direction: 'outbound',
        summary: 'renewal',
        clientMutationId,
      };
      const before = (await stream(mine)).length;
      const first = await send(LOG_CONTACT, { input }, am1);
      const again = await send(LOG_CONTACT, { input }, am1);
      expect(first.errors).toBeUndefined();
      expect(first.data?.logContact?.id).toBe(clientMutationId.toLowerCase());
      expect(again).toEqual(first);
      expect((await stream(mine)).length).toBe(before + 1);

      // The same id with other data is not a retry: refused, nothing recorded, the first stands.
      const other = await send(LOG_CONTACT, { input: { ...input, summary: 'something else' } }, am1);
      expect(codeOf(other)).toBe('BAD_USER_INPUT');
      expect(other.errors?.[0]?.message).toMatch(
        /clientMutationId .* was already used for a different event/,
      );
      const byAnother = await send(LOG_CONTACT, { input }, lead);
      expect(codeOf(byAnother)).toBe('BAD_USER_INPUT');
      expect((await stream(mine)).length).toBe(before + 1);
    });

    it('refuses text the store cannot keep and impossible instants with BAD_USER_INPUT, recording nothing', async () => {
      const before = (await stream(mine)).length;
      const base = { customerId: mine, channel: 'call', direction: 'outbound' };
      const nul = await send(LOG_CONTACT, { input: { ...base, summary: 'a\u0000b' } }, am1);
      expect(codeOf(nul)).toBe('BAD_USER_INPUT');
      expect(nul.errors?.[0]?.message).toContain('NUL character');
      const surrogate = await send(LOG_CONTACT, { input: { ...base, summary: 'x\ud800' } }, am1);
      expect(codeOf(surrogate)).toBe('BAD_USER_INPUT');
      expect(surrogate.errors?.[0]?.message).toContain('unpaired surrogate');
      const feb30 = await send(LOG_CONTACT, { input: { ...base, occurredAt: '2026-02-30T00:00:00Z' } }, am1);
      expect(codeOf(feb30)).toBe('BAD_USER_INPUT');
      expect(feb30.errors?.[0]?.message).toContain('real calendar date');
      expect((await stream(mine)).length).toBe(before);
    });

    it('retries a promise whose id the gateway chose: the same promise, not a second one', async () => {
      const input = {
        customerId: mine,
        description: 'send the offer',
        dueAt: '2026-06-05T17:00:00Z',
        clientMutationId: randomUUID(),
      };
      const first = await send(MAKE_PROMISE, { input }, am1);
      const again = await send(MAKE_PROMISE, { input }, am1);
      expect(first.errors).toBeUndefined();
      expect(again.data?.makePromise).toEqual(first.data?.makePromise);
      const { promiseId } = (first.data?.makePromise?.data ?? {}) as { promiseId?: string };
      expect(promiseId).toMatch(/^[0-9a-f-]{36}$/);
      const promises = (await relationship(mine, am1))?.promises.edges.map((e) => e.node);
      expect(promises?.filter((p) => p.description === 'send the offer')).toEqual([
        {
          promiseId,
          description: 'send the offer',
          status: 'OPEN',
          dueAt: '2026-06-05T17:00:00.000Z',
          keptAt: null,
          cancelledAt: null,
        },
      ]);
    });

    it('keeps and cancels open promises; refuses unknown and settled ones; a retry answers the same event', async () => {
      const made = await send(
        MAKE_PROMISE,
        {
          input: {
            customerId: mine,
            promiseId: `call-back-${run}`,
            description: 'call back',
            dueAt: '2026-06-02T10:00:00Z',
          },
        },
        am1,
      );
      expect(made.errors).toBeUndefined();
      expect((await relationship(mine, am1))?.openPromises).toBeGreaterThanOrEqual(1);

      const vars = { c: mine, p: `call-back-${run}` };
      const kept = await send(KEEP, vars, am1);
      expect(kept.errors).toBeUndefined();
      expect(kept.data?.keepPromise).toMatchObject({
        type: 'PromiseKept',
        data: { promiseId: vars.p },
        actorId: 'am-1',
      });
      const node = (await relationship(mine, am1))?.promises.edges.find(
        (e) => e.node.promiseId === vars.p,
      )?.node;
      expect(node).toMatchObject({ status: 'KEPT_ON_TIME', keptAt: NOW });

      const before = (await stream(mine)).length;
      expect(await send(KEEP, vars, am1)).toEqual(kept); // a retry
      const cancelKept = await send(CANCEL, { ...vars, r: 'changed my mind' }, am1);
      expect(codeOf(cancelKept)).toBe('BAD_USER_INPUT');
      expect(cancelKept.errors?.[0]?.message).toBe(
        `cancelPromise: promise ${vars.p} of customer ${mine} is not open: it was kept`,
      );
      const unknown = await send(KEEP, { c: mine, p: 'never-made' }, am1);
      expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
      expect(unknown.errors?.[0]?.message).toBe(`keepPromise: customer ${mine} has no promise never-made`);
      const twice = await send(
        MAKE_PROMISE,
        {
          input: { customerId: mine, promiseId: vars.p, description: 'again', dueAt: '2026-06-09T10:00:00Z' },
        },
        am1,
      );
      expect(codeOf(twice)).toBe('BAD_USER_INPUT');
      expect((await stream(mine)).length).toBe(before);

      // Cancelled with a reason, then shown as such.
      const other = `quote-${run}`;
      await send(
        MAKE_PROMISE,
        {
          input: { customerId: mine, promiseId: other, description: 'quote', dueAt: '2026-06-20T10:00:00Z' },
        },
        am1,
      );
      const cancelled = await send(CANCEL, { c: mine, p: other, r: 'customer withdrew' }, am1);
      expect(cancelled.data?.cancelPromise).toMatchObject({
        type: 'PromiseCancelled',
        data: { promiseId: other, reason: 'customer withdrew' },
      });
      const shown = (await relationship(mine, am1))?.promises.edges.find(
        (e) => e.node.promiseId === other,
      )?.node;
      expect(shown).toMatchObject({ status: 'CANCELLED', cancelledAt: NOW });
    });

    it('settles a promise once when keep and cancel race', async () => {
      const promiseId = `race-${run}`;
      await send(
        MAKE_PROMISE,
        { input: { customerId: mine, promiseId, description: 'race', dueAt: '2026-06-10T10:00:00Z' } },
        am1,
      );
      const answers = await Promise.all([
        send(KEEP, { c: mine, p: promiseId }, am1),
        send(CANCEL, { c: mine, p: promiseId }, lead),
        send(KEEP, { c: mine, p: promiseId }, lead),
      ]);
      const settlements = (await stream(mine)).filter(
        (e) => e.type !== 'PromiseMade' && (e.data as { promiseId?: string }).promiseId === promiseId,
      );
      expect(settlements).toHaveLength(1);
      // The winner answers its event; the others are refused (a keep by
      // another caller is not a retry of the first).
      const won = answers.filter((a) => !a.errors);
      expect(won).toHaveLength(1);
      expect(Object.values(won[0]?.data ?? {})[0]?.id).toBe(settlements[0]?.id);
      for (const lost of answers.filter((a) => a.errors)) expect(codeOf(lost)).toBe('BAD_USER_INPUT');
    });

    it('refuses an account manager outside its book, as of today, with FORBIDDEN and records nothing', async () => {
      const counts = async () => Promise.all([theirs, moved].map(async (id) => (await stream(id)).length));
      const before = await counts();
      const tryContact = (customerId: string, authorization: string) =>
        send(LOG_CONTACT, { input: { customerId, channel: 'call', direction: 'outbound' } }, authorization);

      const other = await tryContact(theirs, am1);
      expect(codeOf(other)).toBe('FORBIDDEN');
      expect(other.data).toBeNull();
      // Reassigned away on 20 May: no longer am-1's.
      expect(codeOf(await tryContact(moved, am1))).toBe('FORBIDDEN');
      const promise = await send(
        MAKE_PROMISE,
        { input: { customerId: theirs, description: 'x', dueAt: '2026-06-09T10:00:00Z' } },
        am1,
      );
      expect(codeOf(promise)).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);

      // A customer that does not exist gets the same answer: no existence leak.
      const missing = await tryContact(`nobody-${run}`, am1);
      expect(missing.errors?.[0]?.message).toBe(`logContact: customer nobody-${run} is not in your book`);
      expect(other.errors?.[0]?.message).toBe(`logContact: customer ${theirs} is not in your book`);
      expect(codeOf(missing)).toBe('FORBIDDEN');

      // The new manager may; a lead may act on any (onboarded) customer.
      expect((await tryContact(moved, am2)).data?.logContact?.actorId).toBe('am-2');
      expect((await tryContact(theirs, lead)).data?.logContact?.actorId).toBe('lead-1');
      expect(codeOf(await tryContact(`nobody-${run}`, lead))).toBe('BAD_USER_INPUT');
    });

    it('refuses analyst and ingest tokens with FORBIDDEN', async () => {
      const before = (await stream(mine)).length;
      for (const authorization of [analyst, ingest]) {
        const answer = await send(
          LOG_CONTACT,
          { input: { customerId: mine, channel: 'call', direction: 'outbound' } },
          authorization,
        );
        expect(codeOf(answer)).toBe('FORBIDDEN');
        expect(codeOf(await send(KEEP, { c: mine, p: `call-back-${run}` }, authorization))).toBe('FORBIDDEN');
      }
      expect((await stream(mine)).length).toBe(before);
    });

    it('answers BAD_USER_INPUT for invalid input and records nothing', async () => {
      const before = (await stream(mine)).length;
      const contact = (input: Record<string, unknown>) =>
        send(
          LOG_CONTACT,
          { input: { customerId: mine, channel: 'call', direction: 'outbound', ...input } },
          am1,
        );
      const promise = (input: Record<string, unknown>) =>
        send(
          MAKE_PROMISE,
          { input: { customerId: mine, description: 'd', dueAt: '2026-06-09T10:00:00Z', ...input } },
          am1,
        );

      const channel = await contact({ channel: 'pigeon' });
      expect(codeOf(channel)).toBe('BAD_USER_INPUT');
      expect(channel.errors?.[0]?.message).toBe(
        'input.channel must be one of call, email, meeting, visit, chat, letter, social, other.',
      );
      expect(codeOf(await contact({ direction: 'sideways' }))).toBe('BAD_USER_INPUT');
      expect(codeOf(await contact({ touchpoint: 'x'.repeat(201) }))).toBe('BAD_USER_INPUT');
      const id = await contact({ clientMutationId: 'not-a-uuid' });
      expect(id.errors?.[0]?.message).toMatch(/^input\.clientMutationId must be a UUID/);
      expect(codeOf(await contact({ occurredAt: '2026-13-01T00:00:00Z' }))).toBe('BAD_USER_INPUT');

      const empty = await promise({ description: '' });
      expect(codeOf(empty)).toBe('BAD_USER_INPUT');
      expect(empty.errors?.[0]?.message).toBe('input.description must not be empty.');
      expect(codeOf(await promise({ dueAt: 'next tuesday' }))).toBe('BAD_USER_INPUT');
      const past = await promise({ dueAt: '2026-05-31T10:00:00Z' });
      expect(codeOf(past)).toBe('BAD_USER_INPUT');
      expect(past.errors?.[0]?.message).toBe('makePromise: input.dueAt must not be in the past');
      expect(codeOf(await promise({ dueAt: '0000-06-01T10:00:00Z' }))).toBe('BAD_USER_INPUT');

      expect((await stream(mine)).length).toBe(before);
    });
  });
});
