import { randomUUID } from 'node:crypto';
import type { AppendEvent } from '@crh/event-store';

const DAY_MS = 86_400_000;
const TIERS = ['strategic', 'key', 'standard', 'long-tail'] as const;

/**
 * A book for load tests: `customers` relationships over `managers` account
 * managers, each with about `eventsPerCustomer` events in the year to
 * `endDate` (contacts, NPS answers, complaints with their handling, promises
 * kept or not), every twentieth event sent after the one that follows it.
 */
export function sizeableBook(options: {
  customers: number;
  managers: number;
  eventsPerCustomer: number;
  endDate: string;
}): AppendEvent[] {
  const end = Date.parse(`${options.endDate}T18:00:00Z`);
  const events: AppendEvent[] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `book-${String(c).padStart(5, '0')}`;
    const manager = `am-${(c % options.managers) + 1}`;
    const start = end - 365 * DAY_MS + (c % 30) * DAY_MS;
    const gap = (end - start) / options.eventsPerCustomer;
    const add = (type: string, t: number, data: object) =>
      events.push({
        id: randomUUID(),
        type,
        customerId,
        occurredAt: new Date(t).toISOString(),
        actorId: manager,
        data,
      });
    add('CustomerOnboarded', start, {
      name: `Customer ${c}`,
      tier: TIERS[c % TIERS.length],
      accountManagerId: manager,
    });
    // Some relationships fall silent for their last quarter: the neglected list is not empty.
    const last = c % 5 === 0 ? options.eventsPerCustomer * 0.75 : options.eventsPerCustomer - 1;
    for (let n = 1; n < last; n++) {
      const t = start + n * gap;
      const kind = (n * 7 + c) % 10;
      if (kind < 6) add('ContactLogged', t, { channel: 'call', direction: n % 2 ? 'outbound' : 'inbound' });
      else if (kind < 7) add('NpsResponded', t, { score: (n + c) % 11, touchpoint: 'support' });
      else if (kind < 9) {
        const complaintId = `cmp-${n}`;
        add('ComplaintReceived', t, { complaintId, channel: 'email', severity: 'medium' });
        add('ComplaintAcknowledged', t + DAY_MS / 4, { complaintId });
        if (n % 3) add('ComplaintResolved', t + 2 * DAY_MS, { complaintId });
      } else {
        const promiseId = `prm-${n}`;
        add('PromiseMade', t, {
          promiseId,
          description: 'call back',
          dueAt: new Date(t + DAY_MS).toISOString(),
        });
        if (n % 4) add('PromiseKept', t + DAY_MS / 2, { promiseId });
      }
    }
  }
  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1));
  for (let i = 19; i + 1 < events.length; i += 20) [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
  return events;
}
