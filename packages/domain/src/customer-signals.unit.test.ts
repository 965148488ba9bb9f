import { describe, expect, it } from 'vitest';
import { complaintLifecycles } from './complaint-lifecycle.ts';
import { complaintOutcome, DEFAULT_COMPLAINT_SLA, parseComplaintSla, slaBreaches } from './complaint-sla.ts';
import { customerSignals, diffDayCounts } from './customer-signals.ts';
import { customerTimeline, segmentOn } from './customer-timeline.ts';
import { outliersAbove, outliersAmong } from './outlier-stats.ts';
import type { PositionedEvent } from './relationship-fold.ts';
import { type SignalEntry, withSignals } from './signal-history.ts';

let position = 0;
const e = (type: string, occurredAt: string, data: object = {}, actorId?: string) =>
  ({
    id: `id-${position}`,
    type,
    customerId: 'c',
    occurredAt,
    data,
    position: String(++position).padStart(8, '0'),
    ...(actorId ? { actorId } : {}),
  }) as unknown as PositionedEvent;
const history = (...events: PositionedEvent[]): SignalEntry[] => withSignals([], events);

describe('signal history', () => {
  it('sorts a late entry in, leaves contacts out and takes a re-delivered event once', () => {
    const onboarded = e('CustomerOnboarded', '2026-01-01T09:00:00Z', {
      name: 'C',
      tier: 'key',
      accountManagerId: 'am-1',
    });
    const nps = e('NpsResponded', '2026-03-01T09:00:00Z', { score: 9 });
    const contact = e('ContactLogged', '2026-02-01T09:00:00Z', { channel: 'call', direction: 'inbound' });
    const late = e('ComplimentReceived', '2026-02-15T09:00:00Z', { channel: 'email' });
    const first = history(onboarded, nps, contact);
    const next = withSignals(first, [late, nps]);
    expect(next.map((x) => x.k)).toEqual(['onboarded', 'compliment', 'nps']);
    expect(withSignals(next, [late])).toBe(next);
  });
});

describe('customer timeline', () => {
  it('keeps only the state at the end of a day and starts at the first onboarding', () => {
    const timeline = customerTimeline(
      history(
        e('AccountManagerAssigned', '2025-12-01T09:00:00Z', { accountManagerId: 'am-0' }),
        e('CustomerOnboarded', '2026-01-01T09:00:00Z', { name: 'C', tier: 'key', accountManagerId: 'am-1' }),
        e('AccountManagerAssigned', '2026-01-10T09:00:00Z', { accountManagerId: 'am-2' }),
        e('AccountManagerAssigned', '2026-01-10T17:00:00Z', { accountManagerId: 'am-1' }),
        e('CustomerChurned', '2026-02-01T09:00:00Z'),
        e('CustomerOnboarded', '2026-02-02T09:00:00Z', {
          name: 'C',
          tier: 'standard',
          accountManagerId: 'am-9',
        }),
        e('CustomerReactivated', '2026-03-01T09:00:00Z'),
      ),
      'UTC',
    );
    expect(timeline.segments).toEqual([
      { from: '2026-01-01', to: '2026-02-01', accountManagerId: 'am-1', tier: 'key', active: true },
      { from: '2026-02-01', to: '2026-03-01', accountManagerId: 'am-1', tier: 'key', active: false },
      { from: '2026-03-01', to: null, accountManagerId: 'am-1', tier: 'key', active: true },
    ]);
    expect(segmentOn(timeline, '2025-12-31')).toBeUndefined();
    expect(segmentOn(timeline, '2026-02-15')?.active).toBe(false);
  });
});

describe('complaint lifecycle', () => {
  it('measures silences within open periods, a reopening starting a new one', () => {
    const [c] = complaintLifecycles(
      history(
        e('ComplaintReceived', '2026-05-01T00:00:00Z', { complaintId: 'x', channel: 'call' }),
        e('ComplaintAcknowledged', '2026-05-01T10:00:00Z', { complaintId: 'x' }),
        e('ComplaintResolved', '2026-05-02T10:00:00Z', { complaintId: 'x' }),
        e('ComplaintReopened', '2026-05-20T00:00:00Z', { complaintId: 'x' }),
        e('ComplaintUpdateSent', '2026-05-21T06:00:00Z', { complaintId: 'x' }),
        e('RecoveryGestureMade', '2026-05-21T07:00:00Z', { complaintId: 'x', kind: 'refund' }),
      ),
    );
    expect(c).toMatchObject({
      hoursToAcknowledge: 10,
      hoursToResolve: 34,
      open: true,
      resolvedAt: null,
      // 24 h from acknowledgement to resolution; the 18 closed days do not count; 30 h after reopening.
      longestSilenceHours: 30,
      longestSilenceFrom: '2026-05-20T00:00:00Z',
      silentSince: '2026-05-21T06:00:00Z',
      openPeriods: [
        ['2026-05-01T00:00:00Z', '2026-05-02T10:00:00Z'],
        ['2026-05-20T00:00:00Z', null],
      ],
      beyondRepair: false,
      reopenings: 1,
    });
  });

  it('judges service levels and the outcome against the clock', () => {
    const facts = {
      receivedAt: '2026-05-01T00:00:00Z',
      acknowledgedAt: null,
      firstResolvedAt: null,
      open: true,
      longestSilenceHours: 0,
      longestSilenceFrom: null,
      silentSince: '2026-05-01T00:00:00Z',
    };
    expect(slaBreaches(facts, new Date('2026-05-01T23:00:00Z'), DEFAULT_COMPLAINT_SLA)).toEqual([]);
    expect(
      slaBreaches(facts, new Date('2026-05-03T01:00:00Z'), DEFAULT_COMPLAINT_SLA).map((b) => b.kind),
    ).toEqual(['ACKNOWLEDGE', 'UPDATE']);
    // Resolved on day 5, never acknowledged, silent 62 h from an update at 10:00: breaches, none running.
    const closed = {
      ...facts,
      firstResolvedAt: '2026-05-05T00:00:00Z',
      open: false,
      longestSilenceHours: 62,
      longestSilenceFrom: '2026-05-01T10:00:00Z',
      silentSince: null,
    };
    expect(slaBreaches(closed, new Date('2026-06-01T00:00:00Z'), DEFAULT_COMPLAINT_SLA)).toEqual([
      { kind: 'ACKNOWLEDGE', dueAt: '2026-05-02T00:00:00.000Z', running: false },
      { kind: 'UPDATE', dueAt: '2026-05-03T10:00:00.000Z', running: false },
    ]);
    expect(parseComplaintSla('acknowledge=8')).toEqual({ acknowledge: 8, update: 48, resolve: 120 });
    expect(() => parseComplaintSla('speed=1')).toThrow(/Complaint SLA "speed=1"/);
    const resolved = '2026-01-01T00:00:00Z';
    expect(complaintOutcome(resolved, null, new Date('2026-03-01T00:00:00Z'))).toBe('PENDING');
    expect(complaintOutcome(resolved, null, new Date('2026-04-02T00:00:00Z'))).toBe('RECOVERED');
    expect(complaintOutcome(resolved, '2026-03-15T00:00:00Z', new Date('2026-04-02T00:00:00Z'))).toBe('LOST');
    expect(complaintOutcome(resolved, '2026-05-15T00:00:00Z', new Date('2026-06-02T00:00:00Z'))).toBe(
      'RECOVERED',
    );
  });
});

describe('customer signals', () => {
  it('changes only the days a late manager change re-attributes', () => {
    const base = [
      e('CustomerOnboarded', '2026-01-01T09:00:00Z', { name: 'C', tier: 'key', accountManagerId: 'am-1' }),
      e('NpsResponded', '2026-01-05T09:00:00Z', { score: 10 }),
      e('NpsResponded', '2026-01-20T09:00:00Z', { score: 2 }),
    ];
    const before = customerSignals('c', history(...base), 'UTC');
    const after = customerSignals(
      'c',
      history(...base, e('AccountManagerAssigned', '2026-01-10T09:00:00Z', { accountManagerId: 'am-2' })),
      'UTC',
    );
    const diff = diffDayCounts(before.counts, after.counts);
    // Detractor of 01-20 moves from am-1 to am-2; the organisation does not change that day.
    expect([...diff.keys()].sort()).toEqual(['am-1', 'am-2']);
    expect(diff.get('am-2')?.get('2026-01-20')?.[3]).toBe(1);
    expect(diff.get('am-1')?.get('2026-01-20')?.[3]).toBe(-1);
    expect(after.answers.map((a) => a.accountManagerId)).toEqual(['am-1', 'am-2']);
  });

  it('links each NPS answer to the one before and the day of the one after, a late one in its place', () => {
    const onboarded = e('CustomerOnboarded', '2026-01-01T09:00:00Z', {
      name: 'C',
      tier: 'key',
      accountManagerId: 'am-1',
    });
    const answers = [
      e('NpsResponded', '2025-12-20T09:00:00Z', { score: 1 }), // before the onboarding: counts nowhere
      e('NpsResponded', '2026-01-05T09:00:00Z', { score: 10 }),
      e('NpsResponded', '2026-02-01T09:00:00Z', { score: 6 }),
      e('NpsResponded', '2026-02-01T18:00:00Z', { score: 2 }),
    ];
    const links = (signals: ReturnType<typeof customerSignals>) =>
      signals.answers.map((a) => [a.score, a.previousScore, a.nextDay]);
    expect(links(customerSignals('c', history(onboarded, ...answers), 'UTC'))).toEqual([
      [10, null, '2026-02-01'],
      [6, 10, '2026-02-01'],
      [2, 6, null],
    ]);
    const late = e('NpsResponded', '2026-01-10T09:00:00Z', { score: 8 });
    expect(links(customerSignals('c', history(onboarded, ...answers, late), 'UTC'))).toEqual([
      [10, null, '2026-01-10'],
      [8, 10, '2026-02-01'],
      [6, 8, '2026-02-01'],
      [2, 6, null],
    ]);
  });
});

/** outliersAbove as first written: every subject ranked, medians by a sort with a comparator. */
function rankedNaively(values: readonly { id: string; value: number }[], limit: number) {
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length === 0
      ? null
      : sorted.length % 2
        ? sorted[mid]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const norm = median(values.map((v) => v.value));
  if (norm === null) return [];
  const absolute = values.map((v) => Math.abs(v.value - norm));
  const mad = median(absolute)!;
  const scale = mad > 0 ? 1.4826 * mad : absolute.reduce((a, b) => a + b, 0) / values.length;
  if (scale === 0) return [];
  return values
    .filter((v) => v.value > norm)
    .map((v) => ({ ...v, norm, deviation: Math.round(((v.value - norm) / scale) * 100) / 100 }))
    .sort(
      (a, b) => b.deviation - a.deviation || b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, limit);
}

describe('outliers', () => {
  it('ranks as ranking every subject would, ties on the cut included', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 60);
      // Few distinct values (many ties, MAD often 0) in some rounds, fractions in others.
      const spread = round % 3 === 0 ? 3 : 1000;
      const values = Array.from({ length: n }, (_, i) => ({
        id: `s${Math.floor(random() * n)}-${i}`,
        value: round % 2 ? Math.floor(random() * spread) - 1 : random() * spread - spread / 4,
      }));
      // What a store sends: every value, shuffled, and the `limit` largest subjects, ties by id.
      const shuffled = values.map((v) => v.value).sort(() => random() - 0.5);
      const byValue = [...values].sort(
        (a, b) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      for (const limit of [0, 1, 3, 10, 100]) {
        const naive = rankedNaively(values, limit);
        expect(outliersAbove(values, limit), `round ${round}, limit ${limit}`).toEqual(naive);
        const among = outliersAmong(shuffled, byValue.slice(0, limit), limit);
        // The same subjects, norms and deviations (the mean fallback may sum in another order).
        expect(
          among.map((o) => o.id),
          `round ${round}, limit ${limit}`,
        ).toEqual(naive.map((o) => o.id));
        expect(among.map((o) => [o.norm, o.deviation])).toEqual(naive.map((o) => [o.norm, o.deviation]));
      }
    }
  });

  it('measures distance from the median in robust deviations', () => {
    const values = [1, 2, 2, 3, 3, 3, 4, 20].map((value, i) => ({ id: `s${i}`, value }));
    const [top] = outliersAbove(values, 1);
    // median 3, absolute deviations 2,1,1,0,0,0,1,17 -> MAD 1; (20 - 3) / 1.4826 = 11.47
    expect(top).toEqual({ id: 's7', value: 20, norm: 3, deviation: 11.47 });
    expect(
      outliersAbove(
        [
          { id: 'a', value: 1 },
          { id: 'b', value: 1 },
        ],
        5,
      ),
    ).toEqual([]);
  });
});
