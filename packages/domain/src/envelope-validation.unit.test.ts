import { describe, expect, it } from 'vitest';
import { parseRecordedEvent, validateEventBatch } from './envelope-validation.ts';
import { EVENT_TYPES } from './event-catalogue.ts';

const envelope = (overrides: Record<string, unknown> = {}) => ({
  id: '6F1C2A0E-4B7E-4F8E-9A51-0C2B4D1E9F00',
  type: 'ContactLogged',
  customerId: 'cust-0042',
  occurredAt: '2026-03-01T10:15:00+01:00',
  actorId: 'am-7',
  data: { channel: 'call', direction: 'outbound' },
  metadata: { correlationId: 'x', source: 'crm-sync' },
  ...overrides,
});

const issuesOf = (body: unknown) => {
  const result = validateEventBatch(body);
  if (result.ok) throw new Error('expected the batch to be rejected');
  return result.issues;
};

describe('event batch validation', () => {
  it('accepts the CONTRACT.md example and normalises id and occurredAt', () => {
    const result = validateEventBatch({ events: [envelope()] });
    expect(result).toEqual({
      ok: true,
      events: [
        {
          id: '6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00',
          type: 'ContactLogged',
          customerId: 'cust-0042',
          occurredAt: '2026-03-01T09:15:00.000Z',
          actorId: 'am-7',
          data: { channel: 'call', direction: 'outbound' },
          metadata: { correlationId: 'x', source: 'crm-sync' },
        },
      ],
    });
  });

  it('fills the default tier of an onboarding', () => {
    const result = validateEventBatch({
      events: [envelope({ type: 'CustomerOnboarded', data: { name: 'Acme', accountManagerId: 'am-1' } })],
    });
    expect(result.ok && result.events[0]?.data).toEqual({
      name: 'Acme',
      tier: 'standard',
      accountManagerId: 'am-1',
    });
  });

  it.each<[unknown, string]>([
    [{}, 'the body must hold events'],
    [{ events: [] }, 'an empty batch'],
    [{ events: Array.from({ length: 1001 }, () => envelope()) }, 'over 1000 envelopes'],
    [{ events: [envelope()], extra: 1 }, 'unknown top-level fields'],
    ['events', 'not an object'],
  ])('rejects a malformed batch: %#, %s', (body) => {
    expect(issuesOf(body)).toEqual([expect.objectContaining({ path: 'events' })]);
  });

  it('reports every problem of every envelope with its index and path', () => {
    const issues = issuesOf({
      events: [
        envelope(),
        envelope({ id: 'not-a-uuid', customerId: 'has space', occurredAt: '2026-03-01T10:15:00' }),
        envelope({ type: 'NpsResponded', data: { score: 11, mood: 'happy' } }),
        envelope({ type: 'Teleported' }),
        envelope({ occurredAt: '2026-02-30T10:00:00Z', actorId: '', expectedRevision: -2, colour: 'red' }),
        envelope({ metadata: { blob: 'x'.repeat(5000) } }),
        envelope({ data: undefined }),
      ],
    });
    const located = issues.map((i) => `${i.index}:${i.path}`);
    expect(located).toEqual([
      '1:id',
      '1:customerId',
      '1:occurredAt',
      '2:data.score',
      '2:data.mood',
      '3:type',
      '4:colour',
      '4:occurredAt',
      '4:actorId',
      '4:expectedRevision',
      '5:metadata',
      '6:data',
    ]);
    expect(issues.every((i) => i.message.length > 5)).toBe(true);
  });

  it.each([
    ['CustomerOnboarded', { name: 'A', accountManagerId: 'am', tier: 'gold' }, 'data.tier'],
    ['CustomerOnboarded', { name: 'A', accountManagerId: 'am', contractValue: -1 }, 'data.contractValue'],
    ['CustomerProfileUpdated', {}, 'data'],
    ['ContactLogged', { channel: 'pigeon', direction: 'outbound' }, 'data.channel'],
    ['ComplaintReceived', { channel: 'call' }, 'data.complaintId'],
    ['RecoveryGestureMade', { complaintId: 'c', kind: 'voucher' }, 'data.kind'],
    ['ComplaintFeedbackReceived', { complaintId: 'c', satisfied: 'yes' }, 'data.satisfied'],
    ['NpsResponded', { score: 7.5 }, 'data.score'],
    ['PromiseMade', { promiseId: 'p', description: 'call', dueAt: 'tomorrow' }, 'data.dueAt'],
    ['DelightMomentRecorded', { kind: 'unprompted' }, 'data.description'],
    ['CustomerReactivated', { why: 'x' }, 'data.why'],
  ])('rejects %s data %j at %s', (type, data, path) => {
    expect(issuesOf({ events: [envelope({ type, data })] }).map((i) => i.path)).toContain(path);
  });

  it('knows all 21 event types of the contract', () => {
    expect(EVENT_TYPES).toHaveLength(21);
  });

  it('parks what it cannot read back from the store, with a reason', () => {
    const record = {
      id: '6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00',
      customerId: 'c',
      occurredAt: '2026-03-01T00:00:00.000Z',
      actorId: null,
      metadata: null,
    };
    expect(parseRecordedEvent({ ...record, type: 'NpsResponded', data: { score: 8 } })).toMatchObject({
      ok: true,
    });
    const bad = parseRecordedEvent({ ...record, type: 'NpsResponded', data: { score: 'eight' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/data\.score/);
  });
});
