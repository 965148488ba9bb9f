import { describe, expect, it } from 'vitest';
import { NewestFirstSelection } from './newest-first-selection.ts';
import { compareTimeKeys, type RecordedEvent } from './port.ts';

const event = (i: number, occurredAt: string): RecordedEvent => ({
  id: `e-${i}`,
  type: 'ContactLogged',
  customerId: 'c',
  occurredAt,
  actorId: null,
  data: {},
  metadata: null,
  position: String(i).padStart(32, '0'),
  revision: i,
  recordedAt: occurredAt,
});

/** A stream in arrival order whose occurredAt go back and forth, with ties. */
function shuffledStream(n: number, seed: number): RecordedEvent[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: n }, (_, i) =>
    event(i, new Date(Date.UTC(2026, 0, 1) + (next() % 40) * 3_600_000).toISOString()),
  );
}

const newestFirst = (events: RecordedEvent[]) => [...events].sort((a, b) => compareTimeKeys(b, a));

describe('NewestFirstSelection', () => {
  it('pages through a stream in any arrival order exactly as sorting it newest first does', () => {
    const stream = shuffledStream(200, 7);
    for (const limit of [1, 3, 50, 500]) {
      const pages: RecordedEvent[] = [];
      let after: RecordedEvent | null = null;
      for (;;) {
        const selection: NewestFirstSelection = new NewestFirstSelection(limit, after);
        for (const e of stream) selection.offer(e);
        const page: RecordedEvent[] = selection.events;
        expect(page.length).toBeLessThanOrEqual(limit);
        if (page.length === 0) break;
        pages.push(...page);
        after = page.at(-1)!;
      }
      expect(pages.map((e) => e.id)).toEqual(newestFirst(stream).map((e) => e.id));
    }
  });

  it('keeps nothing for a limit of 0', () => {
    const selection = new NewestFirstSelection(0, null);
    for (const e of shuffledStream(10, 3)) selection.offer(e);
    expect(selection.events).toEqual([]);
  });
});
