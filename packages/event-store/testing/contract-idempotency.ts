import { expect, it } from 'vitest';
import {
  type AppendEvent,
  type EventStore,
  IdConflictError,
  WrongExpectedRevisionError,
} from '../src/port.ts';
import { newEvent, uniqueCustomer } from './contract-fixtures.ts';

/** Contract: ids are idempotency keys, expectedRevision guards whole batches. */
export function describeIdempotencyAndRevisions(getStore: () => EventStore): void {
  it('answers a re-sent id with "duplicate" and the original position and revision', async () => {
    const store = getStore();
    const customer = uniqueCustomer('dup');
    const batch = [newEvent(customer), newEvent(customer)];
    const first = await store.append(batch);
    const again = await store.append(batch);
    expect(again).toEqual(first.map((o) => ({ ...o, status: 'duplicate' })));
    expect(await store.readStream(customer)).toHaveLength(2);
  });

  it('records an id repeated within one batch once when the copies are the same', async () => {
    const store = getStore();
    const customer = uniqueCustomer('dup-in-batch');
    const x = newEvent(customer, { data: { channel: 'call', direction: 'outbound' } });
    const y = newEvent(customer);
    // The same content in another key order and instant notation.
    const copy = {
      ...x,
      occurredAt: '2026-03-01T11:15:00+01:00',
      data: { direction: 'outbound', channel: 'call' },
    };
    const outcomes = await store.append([x, y, copy]);
    expect(outcomes.map((o) => o.status)).toEqual(['recorded', 'recorded', 'duplicate']);
    expect(outcomes[2]).toEqual({ ...outcomes[0], status: 'duplicate' });
    const stream = await store.readStream(customer);
    expect(stream.map((e) => e.id)).toEqual([x.id, y.id]);
    expect(stream[0]?.data).toEqual(x.data);
    expect((await store.append([copy]))[0]).toEqual({ ...outcomes[0], status: 'duplicate' });
  });

  const conflictOf = (error: unknown) => {
    expect(error).toBeInstanceOf(IdConflictError);
    return [...(error as IdConflictError).ids];
  };
  const refusal = (store: EventStore, batch: AppendEvent[]) =>
    store.append(batch).then(
      () => expect.fail('expected an IdConflictError'),
      (error: unknown) => error,
    );

  it('refuses an id stored with other content, whatever field differs, and records nothing of the batch', async () => {
    const store = getStore();
    const customer = uniqueCustomer('id-conflict');
    const stored = newEvent(customer, { actorId: 'am-1', metadata: { source: 'crm', n: 1 } });
    await store.append([stored]);
    const changes: Partial<AppendEvent>[] = [
      { type: 'ComplimentReceived' },
      { occurredAt: '2026-03-01T10:15:00.001Z' },
      { actorId: 'am-2' },
      { actorId: undefined },
      { data: { channel: 'call', direction: 'inbound' } },
      { data: { channel: 'call', direction: 'outbound', summary: 'more' } },
      { metadata: { source: 'crm', n: 2 } },
      { metadata: undefined },
    ];
    for (const change of changes) {
      const fresh = newEvent(customer);
      const error = await refusal(store, [fresh, { ...stored, ...change }]);
      expect(conflictOf(error), JSON.stringify(change)).toEqual([stored.id]);
      expect((await store.readStream(customer)).map((e) => e.id)).toEqual([stored.id]);
    }
    // The same content, metadata keys in another order: still a duplicate.
    const again = await store.append([{ ...stored, metadata: { n: 1, source: 'crm' } }]);
    expect(again.map((o) => o.status)).toEqual(['duplicate']);
  });

  it('refuses one id with different content twice in one batch, naming it', async () => {
    const store = getStore();
    const customer = uniqueCustomer('id-conflict-batch');
    const x = newEvent(customer);
    const error = await refusal(store, [
      newEvent(customer),
      x,
      { ...x, data: { channel: 'email', direction: 'outbound' } },
    ]);
    expect(conflictOf(error)).toEqual([x.id]);
    expect(await store.readStream(customer)).toEqual([]);
  });

  it('mixes duplicates and new events in one batch without storing anything twice', async () => {
    const store = getStore();
    const customer = uniqueCustomer('dup-mixed');
    const old = newEvent(customer);
    const [recorded] = await store.append([old]);
    const fresh = newEvent(customer);
    const outcomes = await store.append([fresh, old]);
    expect(outcomes).toEqual([
      expect.objectContaining({ id: fresh.id, status: 'recorded', revision: 1 }),
      { ...recorded, status: 'duplicate' },
    ]);
    expect((await store.readStream(customer)).map((e) => e.id)).toEqual([old.id, fresh.id]);
  });

  it('accepts expectedRevision -1 on a new stream and chains revisions within a batch', async () => {
    const store = getStore();
    const customer = uniqueCustomer('expected-ok');
    const outcomes = await store.append([
      newEvent(customer, { expectedRevision: -1 }),
      newEvent(customer, { expectedRevision: 0 }),
      newEvent(customer),
      newEvent(customer, { expectedRevision: 2 }),
    ]);
    expect(outcomes.map((o) => o.revision)).toEqual([0, 1, 2, 3]);
  });

  it('rejects a wrong expectedRevision and records nothing of the batch, other customers included', async () => {
    const store = getStore();
    const [target, bystander] = [uniqueCustomer('expected-bad'), uniqueCustomer('bystander')];
    await store.append([newEvent(target), newEvent(target)]);
    const batch = [newEvent(bystander), newEvent(target, { expectedRevision: 0 }), newEvent(target)];
    const error = await store.append(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ customerId: target, expected: 0, actual: 1 });
    expect(await store.readStream(bystander)).toEqual([]);
    expect(await store.readStream(target)).toHaveLength(2);
    await expect(store.append([newEvent(target, { expectedRevision: -1 })])).rejects.toMatchObject({
      name: 'WrongExpectedRevisionError',
      expected: -1,
      actual: 1,
    });
    // Nothing of the failed batch was kept, so its events can still be recorded.
    const retried = await store.append(batch.map((e) => ({ ...e, expectedRevision: undefined })));
    expect(retried.map((o) => [o.status, o.revision])).toEqual([
      ['recorded', 0],
      ['recorded', 2],
      ['recorded', 3],
    ]);
  });

  it('does not re-check expectedRevision for duplicates, so retrying a recorded batch is safe', async () => {
    const store = getStore();
    const customer = uniqueCustomer('expected-retry');
    const batch = [newEvent(customer, { expectedRevision: -1 }), newEvent(customer, { expectedRevision: 0 })];
    const first = await store.append(batch);
    const retry = await store.append(batch);
    expect(retry).toEqual(first.map((o) => ({ ...o, status: 'duplicate' })));
  });
}
