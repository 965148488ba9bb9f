import { describe, expect, it } from 'vitest';
import { batchChanges, INLINE_EVENT_LIMIT } from './feed-changes.ts';
import type { BatchResult } from './relationship-projection.ts';

const event = (summary: string) => ({
  id: '00000000-0000-4000-8000-000000000001',
  type: 'ContactLogged',
  customerId: 'c-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  actorId: null,
  data: { channel: 'call', direction: 'outbound', summary },
  metadata: null,
  position: '0'.repeat(32),
  revision: 0,
  recordedAt: '2026-01-01T00:00:00.000Z',
});

const result = (records: BatchResult['records'], kpiScopes: string[] = []): BatchResult => ({
  records,
  announced: true,
  applied: records.length,
  parked: 0,
  customers: [],
  refolded: 0,
  statusChanges: [],
  alerts: [],
  kpiScopes,
});

describe('the changes a committed batch announces', () => {
  it('sends an event by reference when its UTF-8 bytes, not its characters, exceed the inline limit', () => {
    const wide = 'é'.repeat(INLINE_EVENT_LIMIT / 2); // fewer characters than the limit, more bytes
    const [small, big] = batchChanges(result([event('short'), event(wide)]));
    expect(small?.value.kind).toBe('event');
    expect(big?.value).toEqual({
      kind: 'eventRef',
      customerId: 'c-1',
      position: '0'.repeat(32),
      type: 'ContactLogged',
    });
  });

  it('splits many KPI scopes into messages that each fit a notification', () => {
    const scopes = ['', ...Array.from({ length: 100 }, (_, i) => `${'m'.repeat(120)}-${i}`)];
    const kpis = batchChanges(result([], scopes)).map((c) => c.value);
    expect(kpis.flatMap((k) => (k.kind === 'kpis' && k.scopes !== 'all' ? k.scopes : []))).toEqual(scopes);
    for (const k of kpis) expect(Buffer.byteLength(JSON.stringify(k))).toBeLessThan(7_900);
  });

  it('announces nothing for a quiet batch', () => {
    expect(batchChanges({ ...result([event('x')], ['']), announced: false })).toEqual([]);
  });
});
