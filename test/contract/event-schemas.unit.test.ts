// The generated JSON Schemas against what the code really accepts and
// writes: every envelope the validator takes (random histories and one full
// example of each type) matches envelope.json and its type's data schema;
// every one it refuses, envelope.json refuses too; what the store and the
// relay make of them matches stored-envelope.json and the Kafka schema.
import { randomBytes, randomUUID } from 'node:crypto';
import { EVENT_TYPES, type EventType, validateEnvelope } from '@crh/domain';
import { toRelayMessage } from '@crh/event-relay';
import { type RecordedEvent, toEnvelope } from '@crh/event-store';
import { FieldCipher, openEvent, sealEvent } from '@crh/event-store/encryption';
import { jsonSchemaValidator } from '@crh/testing/json-schemas';
import { describe, expect, it } from 'vitest';
import { contractFiles, paths } from '../../scripts/contract-files.ts';
import { randomHistory } from '../support/random-history.ts';

const files = contractFiles();
const ajv = jsonSchemaValidator();
const compile = (path: string) => ajv.compile(JSON.parse(files.get(path)!));
const isSent = compile(paths.envelope);
const isStored = compile(paths.storedEnvelope);
const isMessage = compile(paths.kafkaMessage);
const isDataOf = Object.fromEntries(EVENT_TYPES.map((type) => [type, compile(paths.event(type))]));

const envelope = (type: EventType, data: object, extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type,
  customerId: 'cust-0042',
  occurredAt: '2026-03-01T10:15:00+01:00',
  data,
  ...extra,
});

const complaint = { complaintId: 'cmp-1' };

/** Each type once, every optional field set (and the envelope's too, on some). */
const fullExamples: Record<EventType, object> = {
  CustomerOnboarded: envelope(
    'CustomerOnboarded',
    { name: 'Acme BV', tier: 'key', accountManagerId: 'am-7', segment: 'retail', contractValue: 125_000 },
    { actorId: 'am-7', metadata: { source: 'crm-sync' }, expectedRevision: -1 },
  ),
  CustomerProfileUpdated: envelope('CustomerProfileUpdated', { segment: 'wholesale' }),
  CustomerTierChanged: envelope('CustomerTierChanged', { tier: 'long-tail' }),
  AccountManagerAssigned: envelope('AccountManagerAssigned', { accountManagerId: 'am-9' }),
  ContactLogged: envelope(
    'ContactLogged',
    { channel: 'visit', direction: 'outbound', touchpoint: 'quarterly review', summary: 'went well' },
    { id: randomUUID().toUpperCase(), occurredAt: '2026-03-01 10:15:00.123456789z' },
  ),
  ComplaintReceived: envelope('ComplaintReceived', {
    ...complaint,
    channel: 'email',
    category: 'billing',
    severity: 'high',
    summary: 'charged twice',
  }),
  ComplaintAcknowledged: envelope('ComplaintAcknowledged', complaint),
  ComplaintUpdateSent: envelope('ComplaintUpdateSent', { ...complaint, message: 'refund under way' }),
  ComplaintResolved: envelope('ComplaintResolved', { ...complaint, resolution: 'refunded' }),
  ComplaintReopened: envelope('ComplaintReopened', { ...complaint, reason: 'charged again' }),
  RecoveryGestureMade: envelope('RecoveryGestureMade', { ...complaint, kind: 'flowers', note: 'tulips' }),
  ComplaintFeedbackReceived: envelope('ComplaintFeedbackReceived', {
    ...complaint,
    satisfied: false,
    improvement: 'faster',
  }),
  ComplimentReceived: envelope('ComplimentReceived', {
    channel: 'social',
    about: 'support',
    summary: 'thanks',
  }),
  NpsResponded: envelope('NpsResponded', { score: 10, touchpoint: 'renewal', comment: 'great' }),
  PromiseMade: envelope('PromiseMade', {
    promiseId: 'p-1',
    description: 'send the new contract',
    dueAt: '2026-03-05T17:00:00-05:00',
  }),
  PromiseKept: envelope('PromiseKept', { promiseId: 'p-1' }),
  PromiseCancelled: envelope('PromiseCancelled', { promiseId: 'p-1', reason: 'no longer needed' }),
  DelightMomentRecorded: envelope(
    'DelightMomentRecorded',
    { kind: 'saying-no', description: 'talked them out of an upgrade', declaredAsException: true },
    { actorId: 'am-7' },
  ),
  CustomerChurned: envelope('CustomerChurned', { reason: 'moved abroad' }),
  ContractRenewed: envelope('ContractRenewed', { contractValue: 0 }),
  CustomerReactivated: envelope('CustomerReactivated', {}),
};

const history = randomHistory({
  seed: 14,
  customers: 12,
  eventsPerCustomer: 40,
  startDay: '2026-01-01',
  days: 90,
  managers: 3,
});
const valid: object[] = [...Object.values(fullExamples), ...history.events];

const contact = fullExamples.ContactLogged as Record<string, unknown>;
/** Envelopes the validator refuses, one rule each. */
const invalid: [string, unknown][] = [
  ['id not a UUID', { ...contact, id: 'not-a-uuid' }],
  ['id missing', { ...contact, id: undefined }],
  ['unknown type', { ...contact, type: 'Teleported' }],
  ['customerId with a space', { ...contact, customerId: 'has space' }],
  ['customerId of 129 characters', { ...contact, customerId: 'c'.repeat(129) }],
  ['occurredAt without an offset', { ...contact, occurredAt: '2026-03-01T10:15:00' }],
  ['occurredAt with a +hhmm offset', { ...contact, occurredAt: '2026-03-01T10:15:00+0100' }],
  ['empty actorId', { ...contact, actorId: '' }],
  ['metadata not an object', { ...contact, metadata: ['x'] }],
  ['expectedRevision below -1', { ...contact, expectedRevision: -2 }],
  ['expectedRevision not whole', { ...contact, expectedRevision: 1.5 }],
  ['unknown envelope field', { ...contact, colour: 'red' }],
  ['data missing', { ...contact, data: undefined }],
  ['unknown data field', { ...contact, data: { channel: 'call', direction: 'inbound', mood: 'happy' } }],
  ['data field out of its enum', { ...contact, data: { channel: 'pigeon', direction: 'inbound' } }],
  ['data required field missing', { ...contact, data: { channel: 'call' } }],
  ['data of another type', { ...contact, type: 'NpsResponded' }],
  ['NPS score 11', envelope('NpsResponded', { score: 11 })],
  ['NPS score not whole', envelope('NpsResponded', { score: 7.5 })],
  ['negative contract value', envelope('ContractRenewed', { contractValue: -1 })],
  ['profile update that changes nothing', envelope('CustomerProfileUpdated', {})],
  ['onboarding with an empty name', envelope('CustomerOnboarded', { name: '', accountManagerId: 'am-1' })],
  [
    'summary over 10000 characters',
    envelope('ComplimentReceived', { channel: 'call', summary: 'x'.repeat(10_001) }),
  ],
  ['dueAt not an instant', envelope('PromiseMade', { promiseId: 'p', description: 'd', dueAt: 'Friday' })],
  ['reactivation with data', envelope('CustomerReactivated', { why: 'x' })],
];

/** What the store keeps of a validated envelope, as both adapters record it. */
const recorded = (sent: object, revision: number): RecordedEvent => {
  const result = validateEnvelope(sent);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  const { event } = result;
  return {
    id: event.id,
    type: event.type,
    customerId: event.customerId,
    occurredAt: event.occurredAt,
    actorId: event.actorId ?? null,
    data: event.data,
    metadata: event.metadata ?? null,
    position: `${(100 + revision).toString(16).padStart(16, '0')}${revision.toString(16).padStart(16, '0')}`,
    revision,
    recordedAt: '2026-03-02T08:00:00.000Z',
  };
};

const errorsOf = (validate: { errors?: unknown }) => JSON.stringify(validate.errors);

/** A relayed message as a consumer decodes it: the value's JSON parsed. */
const decode = (message: ReturnType<typeof toRelayMessage>) => ({
  key: message.key,
  value: JSON.parse(String(message.value)),
  headers: message.headers,
  timestamp: message.timestamp,
});

describe('the JSON Schemas of the events, against the code', () => {
  it('have a full example of every event type', () => {
    expect(Object.keys(fullExamples).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('accept every envelope the validator accepts, and its data by its type', () => {
    expect(valid.length).toBeGreaterThan(100);
    for (const sent of valid) {
      expect(validateEnvelope(sent).ok).toBe(true);
      expect(isSent(sent), errorsOf(isSent)).toBe(true);
      const { type, data } = sent as { type: EventType; data: unknown };
      expect(isDataOf[type]!(data), errorsOf(isDataOf[type]!)).toBe(true);
    }
  });

  it.each(invalid)('refuse what the validator refuses: %s', (_reason, sent) => {
    const wire = JSON.parse(JSON.stringify(sent));
    expect(validateEnvelope(wire).ok).toBe(false);
    expect(isSent(wire)).toBe(false);
  });

  it('accept every stored envelope made of them, and its Kafka message; stored data still matches its type', () => {
    valid.forEach((sent, index) => {
      const event = recorded(sent, index);
      const stored = JSON.parse(JSON.stringify(toEnvelope(event)));
      expect(isStored(stored), errorsOf(isStored)).toBe(true);
      expect(isDataOf[event.type as EventType]!(stored.data)).toBe(true);
      const message = toRelayMessage(event, 0);
      const decoded = decode(message);
      expect(isMessage(decoded), errorsOf(isMessage)).toBe(true);
    });
  });

  it('refuse stored envelopes and messages that break the stored form', () => {
    const event = recorded(fullExamples.CustomerOnboarded, 0);
    const stored = toEnvelope(event);
    const breaks: Record<string, unknown>[] = [
      { ...stored, occurredAt: '2026-03-01T10:15:00+01:00' }, // as sent, not as kept
      { ...stored, id: String(stored.id).toUpperCase() },
      { ...stored, actorId: null },
      { ...stored, position: undefined },
      { ...stored, revision: -1 },
      { ...stored, expectedRevision: 0 }, // a request field, never stored
      { ...stored, data: { name: 'Acme BV', accountManagerId: 'am-7' } }, // stored onboardings have a tier
    ];
    for (const broken of breaks) expect(isStored(JSON.parse(JSON.stringify(broken)))).toBe(false);

    const message = toRelayMessage(event, 0);
    const decoded = {
      key: message.key,
      value: stored,
      headers: message.headers,
      timestamp: message.timestamp,
    };
    expect(isMessage(decoded)).toBe(true);
    const { position: _, ...withoutPosition } = message.headers as Record<string, string>;
    expect(isMessage({ ...decoded, headers: withoutPosition })).toBe(false);
    expect(isMessage({ ...decoded, headers: { ...message.headers, extra: 'x' } })).toBe(false);
    expect(isMessage({ ...decoded, timestamp: stored.recordedAt })).toBe(false);
  });

  it('accept sealed messages, erased stored envelopes and the stored erasure event, which no client may send', () => {
    const cipher = new FieldCipher(randomBytes(32));
    valid.forEach((sent, index) => {
      const event = recorded(sent, index);
      const sealed = sealEvent(event, cipher);
      const message = toRelayMessage(sealed, 0);
      const decoded = decode(message);
      expect(isMessage(decoded), errorsOf(isMessage)).toBe(true);
      const erased = JSON.parse(JSON.stringify(toEnvelope(openEvent(sealed, null))));
      expect(isStored(erased), errorsOf(isStored)).toBe(true);
    });
    const erasure = {
      id: randomUUID(),
      type: 'CustomerDataErased',
      customerId: 'cust-0042',
      occurredAt: '2026-12-05T09:12:44.517Z',
      data: {},
      recordedAt: '2026-12-05T09:12:44.530Z',
      position: '0'.repeat(31) + '1',
      revision: 7,
    };
    expect(isStored(erasure), errorsOf(isStored)).toBe(true);
    expect(isSent(erasure)).toBe(false);
    expect(validateEnvelope(erasure).ok).toBe(false);
  });
});
