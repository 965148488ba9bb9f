import { describe, expect, it } from 'vitest';
import type { AppendEvent } from '../port.ts';
import { toProposedEvent, toRecordedEvent } from './esdb-event-mapping.ts';
import type { EsdbRecord } from './esdb-log.ts';

const PREFIX = 'customer-';

/** What the server gives back for a proposed event: JSON in, JSON out. */
function stored(event: AppendEvent, extra: Partial<EsdbRecord> = {}): EsdbRecord {
  const proposed = toProposedEvent(event);
  return {
    streamId: `${PREFIX}${event.customerId}`,
    id: proposed.id,
    type: proposed.type,
    revision: 3n,
    created: new Date('2026-03-02T08:09:10.123Z'),
    data: JSON.parse(JSON.stringify(proposed.data)),
    metadata: JSON.parse(JSON.stringify(proposed.metadata)),
    position: { commit: 77n, prepare: 77n },
    ...extra,
  };
}

describe('our envelope in an EventStoreDB event', () => {
  const full: AppendEvent = {
    id: '6f1c2a0e-4b7e-4f8e-9a51-0c2b4d1e9f00',
    type: 'ContactLogged',
    customerId: 'cust-0042',
    occurredAt: '2026-03-01T10:15:00Z',
    actorId: 'am-7',
    data: { channel: 'call', direction: 'outbound' },
    metadata: { correlationId: 'c-1', customerId: 'theirs, not ours' },
    expectedRevision: 2,
  };

  it('keeps type and data as they are, and the rest of the envelope in the metadata', () => {
    expect(toProposedEvent(full)).toEqual({
      id: full.id,
      type: 'ContactLogged',
      data: { channel: 'call', direction: 'outbound' },
      metadata: {
        customerId: 'cust-0042',
        occurredAt: '2026-03-01T10:15:00.000Z',
        actorId: 'am-7',
        metadata: { correlationId: 'c-1', customerId: 'theirs, not ours' },
      },
    });
  });

  it('reads back exactly the recorded event, with position, revision and recordedAt from the server', () => {
    expect(toRecordedEvent(stored(full), PREFIX)).toEqual({
      id: full.id,
      type: 'ContactLogged',
      customerId: 'cust-0042',
      occurredAt: '2026-03-01T10:15:00.000Z',
      actorId: 'am-7',
      data: full.data,
      metadata: full.metadata,
      position: `${'000000000000004d'}${'000000000000004d'}`,
      revision: 3,
      recordedAt: '2026-03-02T08:09:10.123Z',
    });
  });

  it('gives null for an absent actor and metadata, and null data for undefined', () => {
    const bare: AppendEvent = {
      id: 'x',
      type: 'CustomerReactivated',
      customerId: 'c',
      occurredAt: '2026-01-01T09:00:00.000Z',
      data: undefined,
    };
    expect(toProposedEvent(bare).data).toBeNull();
    expect(toRecordedEvent(stored(bare), PREFIX)).toMatchObject({
      actorId: null,
      metadata: null,
      data: null,
    });
    const empty = { ...bare, metadata: {} };
    expect(toRecordedEvent(stored(empty), PREFIX)?.metadata).toEqual({});
  });

  it('takes the customer from the stream name under the store prefix', () => {
    const record = stored(full, { streamId: 'test1234-customer-odd:id.x' });
    expect(toRecordedEvent(record, 'test1234-customer-')?.customerId).toBe('odd:id.x');
  });

  it('leaves out events that are not ours', () => {
    expect(toRecordedEvent(stored(full, { streamId: 'other-cust-0042' }), PREFIX)).toBeNull();
    expect(toRecordedEvent(stored(full, { type: '$metadata' }), PREFIX)).toBeNull();
    expect(toRecordedEvent(stored(full, { metadata: undefined }), PREFIX)).toBeNull();
    expect(toRecordedEvent(stored(full, { metadata: { foreign: true } }), PREFIX)).toBeNull();
  });
});
