import { describe, expect, it } from 'vitest';
import { parseRecordedEvent, validateEventBatch } from './envelope-validation.ts';
import { EVENT_TYPES } from './event-catalogue.ts';
import { normaliseRfc3339 } from './rfc3339.ts';

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
  it('accepts the documented example event and normalises id and occurredAt', () => {
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

describe('envelope rules', () => {
  const accepted = (overrides: Record<string, unknown>) => {
    const result = validateEventBatch({ events: [envelope(overrides)] });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.events[0]!;
  };
  const rejectedAt = (overrides: Record<string, unknown>) =>
    issuesOf({ events: [envelope(overrides)] }).map((i) => i.path);

  it.each([
    ['2026-03-01T10:15:00Z', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01T10:15:00.5+01:00', '2026-03-01T09:15:00.500Z'],
    ['2026-03-01T10:15:00.123456789-03:30', '2026-03-01T13:45:00.123Z'],
    ['2028-02-29T23:59:59+14:00', '2028-02-29T09:59:59.000Z'],
    ['2026-03-01t10:15:00z', '2026-03-01T10:15:00.000Z'],
    ['2028-02-29T23:59:59.999Z', '2028-02-29T23:59:59.999Z'],
    ['0001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z'],
  ])('normalises occurredAt %s to %s', (occurredAt, normalised) => {
    expect(accepted({ occurredAt }).occurredAt).toBe(normalised);
  });

  it.each([
    '2026-03-01T10:15:00',
    '2026-03-01',
    '2026-02-30T10:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T10:15:00+24:00',
    '1772360100000',
    'Sun, 01 Mar 2026 10:15:00 GMT',
    // Shaped like the normal form (the fast path), yet not an instant.
    '2026-02-30T10:00:00.000Z',
    '2027-02-29T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-03-01T24:00:00.000Z',
    '2026-03-01T10:60:00.000Z',
    '2026-03-01T10:15:60.000Z',
    '2026-03-0xT10:15:00.000Z',
  ])('rejects occurredAt %s', (occurredAt) => {
    expect(rejectedAt({ occurredAt })).toEqual(['occurredAt']);
  });

  it.each([
    ['id', 'not-a-uuid'],
    ['id', 42],
    ['customerId', ''],
    ['customerId', 'x'.repeat(129)],
    ['customerId', 'cust/42'],
    ['actorId', ''],
    ['actorId', 'a'.repeat(129)],
    ['metadata', []],
    ['metadata', null],
    ['expectedRevision', -2],
    ['expectedRevision', 1.5],
    ['expectedRevision', '3'],
  ])('rejects %s %j', (field, value) => {
    expect(rejectedAt({ [field]: value })).toEqual([field]);
  });

  it('accepts the edges of every envelope rule', () => {
    const event = accepted({
      id: '00000000-0000-0000-0000-00000000000A',
      customerId: `A-z_0.9:${'x'.repeat(120)}`,
      actorId: 'a'.repeat(128),
      expectedRevision: -1,
      metadata: { note: 'x'.repeat(4096 - '{"note":""}'.length) },
    });
    expect(event).toMatchObject({ id: '00000000-0000-0000-0000-00000000000a', expectedRevision: -1 });
  });

  it('counts metadata in UTF-8 bytes, not characters', () => {
    const fits = { note: 'x'.repeat(4096 - '{"note":""}'.length) };
    const over = { note: `é${'x'.repeat(4096 - '{"note":""}'.length - 1)}` }; // same length, one byte more
    expect(accepted({ metadata: fits }).metadata).toEqual(fits);
    expect(rejectedAt({ metadata: over })).toEqual(['metadata']);
  });

  it('reports a missing field as missing and a wrong one as wrong, in sentences naming the field', () => {
    const issues = issuesOf({
      events: [
        { type: 'NpsResponded', data: { score: '7' } },
        envelope({ type: 'NpsResponded', data: {} }),
        envelope({ type: 'ContactLogged', data: 'call' }),
        envelope({ type: 42, data: 'call' }),
      ],
    });
    expect(issues.map((i) => [i.index, i.path, i.message])).toEqual([
      [0, 'id', expect.stringMatching(/^id is required/)],
      [0, 'customerId', expect.stringMatching(/^customerId is required/)],
      [0, 'occurredAt', expect.stringMatching(/^occurredAt is required/)],
      [0, 'data.score', 'data.score must be a number.'],
      [1, 'data.score', 'data.score is required.'],
      [2, 'data', 'data must be a JSON object.'],
      [3, 'type', expect.stringMatching(/^type 42 is not an event type/)],
      [3, 'data', 'data must be a JSON object.'],
    ]);
  });

  it.each([
    [
      'ContactLogged',
      { channel: 'pigeon', direction: 'outbound' },
      'data.channel must be one of call, email',
    ],
    ['NpsResponded', { score: 11 }, 'data.score must be a whole number from 0 to 10.'],
    ['CustomerOnboarded', { name: 'A', accountManagerId: 'a'.repeat(129) }, 'at most 128 characters'],
    ['CustomerOnboarded', { name: '', accountManagerId: 'am' }, 'data.name must not be empty.'],
    ['CustomerProfileUpdated', {}, 'data must set at least one of name, segment, contractValue.'],
    [
      'PromiseMade',
      { promiseId: 'p', description: 'd', dueAt: '2026-03-01' },
      'data.dueAt must be an RFC 3339',
    ],
    ['CustomerReactivated', { why: 'x' }, '"why" is not a field of CustomerReactivated data.'],
  ])('explains %s data %j: %s', (type, data, message) => {
    const [issue] = issuesOf({ events: [envelope({ type, data })] });
    expect(issue?.message).toContain(message);
  });
});

describe('every event type of the contract', () => {
  // A minimal valid data object per type.
  const minimal: Record<(typeof EVENT_TYPES)[number], object> = {
    CustomerOnboarded: { name: 'Acme', accountManagerId: 'am-1' },
    CustomerProfileUpdated: { contractValue: 0 },
    CustomerTierChanged: { tier: 'long-tail' },
    AccountManagerAssigned: { accountManagerId: 'am-2' },
    ContactLogged: { channel: 'social', direction: 'inbound' },
    ComplaintReceived: { complaintId: 'k-1', channel: 'letter', severity: 'high' },
    ComplaintAcknowledged: { complaintId: 'k-1' },
    ComplaintUpdateSent: { complaintId: 'k-1', message: 'on it' },
    ComplaintResolved: { complaintId: 'k-1' },
    ComplaintReopened: { complaintId: 'k-1' },
    RecoveryGestureMade: { complaintId: 'k-1', kind: 'handwritten-card' },
    ComplaintFeedbackReceived: { complaintId: 'k-1', satisfied: false },
    ComplimentReceived: { channel: 'email' },
    NpsResponded: { score: 0 },
    PromiseMade: { promiseId: 'p-1', description: 'call back', dueAt: '2026-03-02T10:15:00+01:00' },
    PromiseKept: { promiseId: 'p-1' },
    PromiseCancelled: { promiseId: 'p-1' },
    DelightMomentRecorded: { kind: 'saying-no', description: 'a kind no', declaredAsException: true },
    CustomerChurned: {},
    ContractRenewed: {},
    CustomerReactivated: {},
  };

  it.each(EVENT_TYPES.map((type) => [type]))(
    'accepts minimal %s data and rejects an unknown field',
    (type) => {
      const result = validateEventBatch({ events: [envelope({ type, data: minimal[type] })] });
      expect(result.ok).toBe(true);
      expect(issuesOf({ events: [envelope({ type, data: { ...minimal[type], extra: 1 } })] })).toEqual([
        expect.objectContaining({ index: 0, path: 'data.extra' }),
      ]);
    },
  );

  it('normalises dueAt like occurredAt', () => {
    const result = validateEventBatch({
      events: [envelope({ type: 'PromiseMade', data: minimal.PromiseMade })],
    });
    expect(result.ok && result.events[0]?.data).toMatchObject({ dueAt: '2026-03-02T09:15:00.000Z' });
  });
});

describe('instants PostgreSQL can store', () => {
  it('rejects year 0 and instants an offset pushes past 9999', () => {
    expect(normaliseRfc3339('0000-06-01T00:00:00Z')).toBeNull();
    expect(normaliseRfc3339('9999-12-31T23:00:00-05:00')).toBeNull();
    expect(normaliseRfc3339('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(normaliseRfc3339('9999-12-31T18:00:00-05:00')).toBe('9999-12-31T23:00:00.000Z');
  });
});
