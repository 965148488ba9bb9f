import { describe, expect, it } from 'vitest';
import { compareTimeKeys, type EventStore, type RecordedEvent, type TimeKey } from '../src/port.ts';
import { newEvent, uniqueCustomer } from './contract-fixtures.ts';

const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.id);
const newestFirst = (events: readonly RecordedEvent[]) => [...events].sort((a, b) => compareTimeKeys(b, a));
const keyOf = (event: RecordedEvent): TimeKey => ({ occurredAt: event.occurredAt, position: event.position });

/** Timelines: pages of streams newest first by (occurredAt, position), several at once. */
export function describeNewestFirstPages(getStore: () => EventStore): void {
  describe('readNewestFirst (timeline pages)', () => {
    it('pages a stream newest first by occurredAt then position, late and same-instant events in place', async () => {
      const store = getStore();
      const customer = uniqueCustomer('newest');
      // Arrival order is not time order: a late event (day 2) after day 9,
      // and three events at one instant (day 5), told apart by position.
      const days = [1, 4, 9, 2, 5, 5, 7, 5, 3];
      await store.append(days.map((d) => newEvent(customer, { occurredAt: at(d) })));
      const whole = newestFirst(await store.readStream(customer));
      expect(whole.map((e) => e.occurredAt)).toEqual([...days].sort((a, b) => b - a).map((d) => at(d)));

      for (const limit of [1, 2, 4, 100]) {
        const paged: RecordedEvent[] = [];
        let after: TimeKey | null = null;
        for (let pages = 0; ; pages++) {
          expect(pages, 'paging ends').toBeLessThan(20);
          const [page] = await store.readNewestFirst([{ customerId: customer, after, limit }]);
          expect(page!.length).toBeLessThanOrEqual(limit);
          if (page!.length === 0) break;
          paged.push(...page!);
          after = keyOf(page!.at(-1)!);
        }
        expect(ids(paged), `pages of ${limit}`).toEqual(ids(whole));
        expect(paged).toEqual(whole);
      }

      // A late event appended now lands in its occurredAt place, not on top.
      const [late] = await store.append([newEvent(customer, { occurredAt: at(6) })]);
      const [top] = await store.readNewestFirst([{ customerId: customer, limit: 3 }]);
      expect(top!.map((e) => e.occurredAt)).toEqual([at(9), at(7), at(6)]);
      expect(top![2]!.id).toBe(late!.id);
    });

    it('answers several pages in one call, in request order, empty for an unknown customer or a limit of 0', async () => {
      const store = getStore();
      const [a, b, none] = [uniqueCustomer('nf-a'), uniqueCustomer('nf-b'), uniqueCustomer('nf-none')];
      await store.append([
        newEvent(a, { occurredAt: at(1) }),
        newEvent(b, { occurredAt: at(2) }),
        newEvent(a, { occurredAt: at(3) }),
        newEvent(a, { occurredAt: at(2) }),
        newEvent(b, { occurredAt: at(1) }),
      ]);
      const wholeA = newestFirst(await store.readStream(a));
      const wholeB = newestFirst(await store.readStream(b));
      const answers = await store.readNewestFirst([
        { customerId: b, limit: 10 },
        { customerId: a, limit: 2 },
        { customerId: none, limit: 5 },
        { customerId: a, after: keyOf(wholeA[0]!), limit: 10 },
        { customerId: a, limit: 0 },
      ]);
      expect(answers.map(ids)).toEqual([ids(wholeB), ids(wholeA.slice(0, 2)), [], ids(wholeA.slice(1)), []]);
      expect(await store.readNewestFirst([])).toEqual([]);
    });
  });
}
