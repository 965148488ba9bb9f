import { describe, expect, it } from 'vitest';
import type { DomainEvent } from './event-catalogue.ts';
import { extendsFold, foldAll, foldHistory, type PositionedEvent } from './relationship-fold.ts';

describe('relationship fold', () => {
  it('extended batch by batch (refolding on late events) equals a fold of the whole history', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const types = [
      ['CustomerOnboarded', { name: 'N', tier: 'key', accountManagerId: 'am-1' }],
      ['ContactLogged', { channel: 'call', direction: 'outbound' }],
      ['CustomerTierChanged', { tier: 'strategic' }],
      ['CustomerChurned', {}],
      ['ContractRenewed', { contractValue: 5 }],
      ['ComplaintReceived', { complaintId: 'k', channel: 'call' }],
      ['ComplaintResolved', { complaintId: 'k' }],
      ['NpsResponded', { score: 4 }],
      ['PromiseMade', { promiseId: 'p', description: 'call back', dueAt: '2026-03-01T00:00:00.000Z' }],
      ['PromiseKept', { promiseId: 'p' }],
      ['DelightMomentRecorded', { kind: 'unprompted', description: 'flowers' }],
      ['ComplimentReceived', { channel: 'email' }],
    ] as const;
    const arrivals: PositionedEvent[] = Array.from({ length: 300 }, (_, i) => {
      const [type, data] = types[Math.floor(next() * types.length)]!;
      return {
        id: `e-${i}`,
        type,
        customerId: 'c',
        occurredAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 200) * 86_400_000).toISOString(),
        data,
        position: String(i).padStart(32, '0'),
      } as DomainEvent & { position: string };
    });

    let fold = foldHistory('c', [], 'Europe/Amsterdam');
    let refolds = 0;
    for (let i = 0; i < arrivals.length; i += 10) {
      const batch = arrivals.slice(i, i + 10);
      const sorted = [...batch].sort((a, b) =>
        a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0,
      );
      if (sorted.every((e) => extendsFold(fold, e))) fold = foldAll(fold, sorted, 'Europe/Amsterdam');
      else {
        refolds++;
        fold = foldHistory('c', arrivals.slice(0, i + 10), 'Europe/Amsterdam');
      }
      expect(fold).toEqual(foldHistory('c', arrivals.slice(0, i + 10), 'Europe/Amsterdam'));
    }
    expect(refolds).toBeGreaterThan(0); // the late path was exercised too
  });
});
