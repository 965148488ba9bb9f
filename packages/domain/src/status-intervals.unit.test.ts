import { describe, expect, it } from 'vitest';
import type { DomainEvent } from './event-catalogue.ts';
import type { PositionedEvent } from './relationship-fold.ts';
import { byOccurrence, emptyFold, extendsFold, type RelationshipFold } from './relationship-fold.ts';
import { relationshipAsOf } from './relationship-state.ts';
import {
  intervalOn,
  type StatusInterval,
  spliceIntervals,
  stateOnInterval,
  statusIntervals,
  walkIntervals,
} from './status-intervals.ts';
import { DEFAULT_TIER_POLICY } from './tier-policy.ts';
import { addDays, localDateOf } from './zoned-date.ts';

const utc = { timeZone: 'UTC', policy: DEFAULT_TIER_POLICY };

function event(i: number, type: DomainEvent['type'], occurredAt: string, data: object): PositionedEvent {
  return {
    id: `e-${i}`,
    type,
    customerId: 'c',
    occurredAt: new Date(occurredAt).toISOString(),
    data,
    position: String(i).padStart(32, '0'),
  } as PositionedEvent;
}

describe('status intervals', () => {
  it('turns a silent strategic relationship GOING_QUIET and NEGLECTED on the threshold days', () => {
    const intervals = statusIntervals(
      [
        event(0, 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
          name: 'A',
          tier: 'strategic',
          accountManagerId: 'am-1',
        }),
      ],
      utc,
    );
    expect(intervals.map((i) => [i.from, i.to, i.status])).toEqual([
      ['2026-01-01', '2026-01-15', 'ACTIVE'],
      ['2026-01-15', '2026-01-31', 'GOING_QUIET'],
      ['2026-01-31', null, 'NEGLECTED'],
    ]);
  });

  it('starts over at every contact and stops at a churn', () => {
    const intervals = statusIntervals(
      [
        event(0, 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
          name: 'A',
          tier: 'strategic',
          accountManagerId: 'am-1',
        }),
        event(1, 'ContactLogged', '2026-01-20T09:00:00Z', { channel: 'call', direction: 'outbound' }),
        event(2, 'CustomerChurned', '2026-03-01T09:00:00Z', {}),
      ],
      utc,
    );
    expect(intervals.map((i) => [i.from, i.to, i.status])).toEqual([
      ['2026-01-01', '2026-01-15', 'ACTIVE'],
      ['2026-01-15', '2026-01-20', 'GOING_QUIET'],
      ['2026-01-20', '2026-02-03', 'ACTIVE'],
      ['2026-02-03', '2026-02-19', 'GOING_QUIET'],
      ['2026-02-19', '2026-03-01', 'NEGLECTED'],
      ['2026-03-01', null, 'CHURNED'],
    ]);
  });

  it.each(['UTC', 'Europe/Amsterdam', 'America/St_Johns'])(
    'agrees with relationshipAsOf on every day of random histories (%s)',
    (timeZone) => {
      const context = { timeZone, policy: DEFAULT_TIER_POLICY };
      let seed = 5;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const kinds: [DomainEvent['type'], () => object][] = [
        ['CustomerOnboarded', () => ({ name: 'N', tier: 'key', accountManagerId: 'am-1' })],
        ['ContactLogged', () => ({ channel: 'call', direction: 'outbound' })],
        ['ContactLogged', () => ({ channel: 'email', direction: 'inbound' })],
        ['CustomerTierChanged', () => ({ tier: random() < 0.5 ? 'strategic' : 'long-tail' })],
        ['AccountManagerAssigned', () => ({ accountManagerId: `am-${Math.floor(random() * 3)}` })],
        ['CustomerChurned', () => ({})],
        ['ContractRenewed', () => ({})],
        ['NpsResponded', () => ({ score: Math.floor(random() * 11) })],
        [
          'PromiseMade',
          () => ({
            promiseId: `p${Math.floor(random() * 3)}`,
            description: 'd',
            dueAt: '2026-03-01T00:00:00.000Z',
          }),
        ],
        ['PromiseKept', () => ({ promiseId: `p${Math.floor(random() * 3)}` })],
        ['DelightMomentRecorded', () => ({ kind: 'unprompted', description: 'd' })],
        ['ComplaintReceived', () => ({ complaintId: 'k', channel: 'call' })],
        ['ComplaintResolved', () => ({ complaintId: 'k' })],
      ];
      for (let round = 0; round < 20; round++) {
        const events = Array.from({ length: 12 }, (_, i) => {
          const [type, data] = kinds[Math.floor(random() * kinds.length)]!;
          const at = Date.UTC(2026, 0, 1) + Math.floor(random() * 200 * 86_400_000);
          return event(i, type, new Date(at).toISOString(), data());
        });
        const intervals = statusIntervals(events, context);
        for (let d = 0; d < 330; d++) {
          const day = addDays('2025-12-31', d);
          const expected = relationshipAsOf(events, day, context);
          const interval = intervalOn(intervals, day);
          if (!expected) {
            expect(interval, day).toBeUndefined();
            continue;
          }
          expect(interval, day).toBeDefined();
          // Everything a day shows follows from the interval that holds it.
          expect(stateOnInterval(interval!, day, context), `${day} round ${round}`).toEqual(expected);
        }
        // Intervals never overlap and are in order.
        for (let i = 1; i < intervals.length; i++) expect(intervals[i - 1]!.to).toBe(intervals[i]!.from);
      }
    },
  );

  it.each(['UTC', 'America/St_Johns'])(
    'spliced batch by batch, refolding late batches, equals the whole history derived at once (%s)',
    (timeZone) => {
      const context = { timeZone, policy: DEFAULT_TIER_POLICY };
      let seed = 9;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const kinds: [DomainEvent['type'], object][] = [
        ['ContactLogged', { channel: 'call', direction: 'outbound' }],
        ['NpsResponded', { score: 9 }],
        ['CustomerTierChanged', { tier: 'strategic' }],
        ['PromiseMade', { promiseId: 'p', description: 'd', dueAt: '2026-02-01T00:00:00.000Z' }],
        ['CustomerChurned', {}],
        ['CustomerReactivated', {}],
      ];
      const arrivals = [
        event(0, 'CustomerOnboarded', '2026-01-01T09:00:00Z', {
          name: 'A',
          tier: 'key',
          accountManagerId: 'a',
        }),
        ...Array.from({ length: 200 }, (_, i) => {
          const [type, data] = kinds[Math.floor(random() * kinds.length)]!;
          // Mostly forward in time, sometimes late.
          const day = random() < 0.15 ? Math.floor(random() * i) : i;
          return event(
            i + 1,
            type,
            new Date(Date.UTC(2026, 0, 1) + day * 86_400_000 + random() * 86_400_000).toISOString(),
            data,
          );
        }),
      ];
      let fold: RelationshipFold = emptyFold('c');
      let stored: StatusInterval[] = [];
      let spliced = 0;
      for (let i = 0; i < arrivals.length; i += 5) {
        const seen = arrivals.slice(0, i + 5);
        const batch = arrivals.slice(i, i + 5).sort(byOccurrence);
        if (batch.every((e) => extendsFold(fold, e))) {
          const walk = walkIntervals(fold, batch, context);
          const day = localDateOf(batch[0]!.occurredAt, timeZone);
          const holding = stored.find((s) => s.from < day && (s.to === null || s.to >= day));
          const splice = spliceIntervals(holding, day, walk.intervals);
          stored = [...stored.filter((s) => s.from < splice.replaceFrom), ...splice.intervals];
          fold = walk.fold;
          spliced++;
        } else {
          const walk = walkIntervals(emptyFold('c'), [...seen].sort(byOccurrence), context);
          stored = walk.intervals;
          fold = walk.fold;
        }
        expect(stored, `after ${i + 5} events`).toEqual(statusIntervals(seen, context));
      }
      expect(spliced).toBeGreaterThan(10);
    },
  );
});
