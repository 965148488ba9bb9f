import {
  customerSignals,
  diffDayCounts,
  type PositionedEvent,
  parseRecordedEvent,
  withSignals,
} from '@crh/domain';
import { generateBook } from './book-generator.ts';

const events = generateBook({
  customers: 20_000,
  managers: 50,
  eventsPerCustomer: 10,
  endDate: '2026-10-31',
  days: 365,
  seed: 42,
  lateShare: 0.05,
}).slice(0, 200_000);
const positioned = events.map(
  (e, i) => ({ ...e, position: String(i).padStart(16, '0') }) as unknown as PositionedEvent,
);
const stored = new Map<string, ReturnType<typeof withSignals>>();
let derive = 0,
  merge = 0,
  stringify = 0;
for (let b = 0; b < positioned.length; b += 100_000) {
  const batch = positioned.slice(b, b + 100_000);
  const by = new Map<string, PositionedEvent[]>();
  for (const e of batch) {
    const l = by.get(e.customerId);
    if (l) l.push(e);
    else by.set(e.customerId, [e]);
  }
  for (const [id, evs] of by) {
    let t = performance.now();
    const before = stored.get(id) ?? [];
    const after = withSignals(before, evs);
    merge += performance.now() - t;
    if (after === before) continue;
    t = performance.now();
    const o = customerSignals(id, before, 'UTC');
    const n = customerSignals(id, after, 'UTC');
    diffDayCounts(o.counts, n.counts);
    derive += performance.now() - t;
    t = performance.now();
    JSON.stringify(o.complaints) === JSON.stringify(n.complaints);
    JSON.stringify(o.answers) === JSON.stringify(n.answers);
    JSON.stringify(after);
    stringify += performance.now() - t;
    stored.set(id, after);
  }
}
console.log({ merge: Math.round(merge), derive: Math.round(derive), stringify: Math.round(stringify) });
void parseRecordedEvent;
