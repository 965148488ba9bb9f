import { describe, expect, it } from 'vitest';
import { type AppendEvent, WrongExpectedRevisionError } from '../port.ts';
import { planAppend, type StreamView } from './append-plan.ts';
import { appendFingerprint } from './esdb-event-mapping.ts';

const streamOf = (customerId: string) => `customer-${customerId}`;
const event = (id: string, customerId: string, expectedRevision?: number): AppendEvent => ({
  id,
  type: 'ContactLogged',
  customerId,
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: {},
  expectedRevision,
});
const views = (entries: Record<string, [revision: number, ids: string[]]>): Map<string, StreamView> =>
  new Map(
    Object.entries(entries).map(([customer, [revision, ids]]) => [
      streamOf(customer),
      {
        revision,
        events: new Map(ids.map((id) => [id, { fingerprint: appendFingerprint(event(id, customer)) }])),
      },
    ]),
  );

describe('planning an append on EventStoreDB', () => {
  it('appends runs of consecutive events of one stream, in input order, at the revisions read', () => {
    const plan = planAppend(
      [event('1', 'a'), event('2', 'a'), event('3', 'b'), event('4', 'a')],
      views({ a: [-1, []], b: [4, []] }),
      streamOf,
    );
    expect(plan.runs.map((run) => [run.stream, run.expectedRevision, run.events.map((e) => e.id)])).toEqual([
      ['customer-a', -1, ['1', '2']],
      ['customer-b', 4, ['3']],
      ['customer-a', 1, ['4']],
    ]);
  });

  it('neither appends nor checks ids already in the stream or earlier in the batch', () => {
    const plan = planAppend(
      [event('old', 'a', 99), event('new', 'a', 0), event('new', 'a', 42), event('new', 'a')],
      views({ a: [0, ['old']], b: [-1, []] }),
      streamOf,
    );
    expect(plan.runs.map((run) => run.events.map((e) => e.id))).toEqual([['new']]);
    expect(plan.homes).toEqual(['customer-a', 'customer-a', 'customer-a', 'customer-a']);
    expect(plan.firstOfId).toEqual([true, true, false, false]);
  });

  it('refuses the batch when an id stands for other content in its stream or earlier in the batch', () => {
    const changed = { ...event('old', 'a'), data: { changed: true } };
    expect(() => planAppend([event('1', 'a'), changed], views({ a: [0, ['old']] }), streamOf)).toThrow(
      expect.objectContaining({ name: 'IdConflictError', ids: ['old'] }),
    );
    // Same id for another customer within one batch: a conflict too.
    expect(() =>
      planAppend([event('n', 'a'), event('n', 'b')], views({ a: [-1, []], b: [-1, []] }), streamOf),
    ).toThrow(expect.objectContaining({ ids: ['n'] }));
    // The same content in another notation is a duplicate.
    const sameInstant = { ...event('old', 'a'), occurredAt: '2026-01-01T01:00:00+01:00' };
    expect(planAppend([sameInstant], views({ a: [0, ['old']] }), streamOf).runs).toEqual([]);
  });

  it('keeps a run going across a duplicate in between', () => {
    const plan = planAppend(
      [event('1', 'a'), event('old', 'b'), event('2', 'a')],
      views({ a: [-1, []], b: [0, ['old']] }),
      streamOf,
    );
    expect(plan.runs).toHaveLength(1);
  });

  it('checks each expectedRevision against the stream just before that event', () => {
    const ok = planAppend(
      [event('1', 'a', -1), event('2', 'a', 0), event('3', 'a'), event('4', 'a', 2)],
      views({ a: [-1, []] }),
      streamOf,
    );
    expect(ok.runs[0]?.events).toHaveLength(4);
    const bad = () =>
      planAppend(
        [event('x', 'by'), event('1', 'a', 0), event('2', 'a')],
        views({ a: [1, []], by: [-1, []] }),
        streamOf,
      );
    expect(bad).toThrow(WrongExpectedRevisionError);
    expect(bad).toThrow(expect.objectContaining({ customerId: 'a', expected: 0, actual: 1 }));
  });
});
