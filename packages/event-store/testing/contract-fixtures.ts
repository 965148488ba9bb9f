import { randomBytes, randomUUID } from 'node:crypto';
import type { AppendEvent, EventStore, ReadAllOptions, RecordedEvent } from '../src/port.ts';
import { comparePositions } from '../src/port.ts';

/** A customer id no other test (or earlier run on the same log) uses. */
export const uniqueCustomer = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

export function newEvent(customerId: string, overrides: Partial<AppendEvent> = {}): AppendEvent {
  return {
    id: randomUUID(),
    type: 'ContactLogged',
    customerId,
    occurredAt: '2026-03-01T10:15:00.000Z',
    // A personal field too: with sealing on, the suite reads it back opened.
    data: { channel: 'call', direction: 'outbound', summary: `Called ${customerId} about the renewal` },
    ...overrides,
  };
}

export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits until `position` is readable. A gap-free log may hold back a committed
 * event while an older transaction anywhere on the server is still running
 * (other test files share the server), so tests wait rather than assume.
 */
export function waitForHead(store: EventStore, position: string): Promise<string> {
  return eventually(async () => {
    const head = await store.headPosition();
    return head !== null && comparePositions(head, position) >= 0 ? head : undefined;
  }, `head position ${position}`);
}

/** Pages through readAll with `after` until a page comes back empty. */
export async function readAllPages(
  store: EventStore,
  options: Omit<ReadAllOptions, 'after' | 'limit'> & { after?: string | null },
  pageSize: number,
): Promise<{ events: RecordedEvent[]; pages: number }> {
  const events: RecordedEvent[] = [];
  let after = options.after ?? null;
  let pages = 0;
  for (;;) {
    const page = await store.readAll({ ...options, after, limit: pageSize });
    pages += 1;
    const last = page.at(-1);
    if (!last) return { events, pages };
    events.push(...page);
    after = last.position;
  }
}

export function expectStrictlyIncreasing(positions: readonly string[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (comparePositions(positions[i - 1]!, positions[i]!) >= 0) {
      throw new Error(`positions not strictly increasing at ${i}: ${positions[i - 1]} then ${positions[i]}`);
    }
  }
}

export const lastOf = <T>(items: readonly T[]): T => {
  const last = items.at(-1);
  if (last === undefined) throw new Error('expected a non-empty list');
  return last;
};
