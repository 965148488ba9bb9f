import { isPastDeadline } from './deadline.ts';
import { entriesById, type SignalEntry } from './signal-history.ts';

/** Settled states; OPEN and OVERDUE depend on the clock and are decided when asked. */
export type SettledPromise = 'KEPT_ON_TIME' | 'KEPT_LATE' | 'CANCELLED';

/** One promise ("keep what you promise"), from its entries in occurrence order. */
export interface PromiseLifecycle {
  promiseId: string;
  /** Null once the customer's personal data was erased. */
  description: string | null;
  madeAt: string;
  dueAt: string;
  /** The first PromiseKept, by occurrence. */
  keptAt: string | null;
  /** The first PromiseCancelled, by occurrence. */
  cancelledAt: string | null;
  /** Whichever of kept / cancelled came first settles it; null while neither has. */
  settled: SettledPromise | null;
  settledAt: string | null;
}

/** Every made promise's lifecycle (the first PromiseMade counts); keeping an unmade promise counts nowhere. */
export function promiseLifecycles(history: readonly SignalEntry[]): PromiseLifecycle[] {
  const byId = entriesById(history, 'promise');
  const result: PromiseLifecycle[] = [];
  for (const [promiseId, entries] of byId) {
    const made = entries.find((e) => e.step === 'made');
    if (!made?.due) continue;
    const keptAt = entries.find((e) => e.step === 'kept')?.at ?? null;
    const cancelledAt = entries.find((e) => e.step === 'cancelled')?.at ?? null;
    const settling = entries.find((e) => e.step !== 'made');
    const settled: SettledPromise | null =
      settling === undefined
        ? null
        : settling.step === 'cancelled'
          ? 'CANCELLED'
          : isPastDeadline(made.due, settling.at)
            ? 'KEPT_LATE'
            : 'KEPT_ON_TIME';
    result.push({
      promiseId,
      description: made.what ?? null,
      madeAt: made.at,
      dueAt: made.due,
      keptAt,
      cancelledAt,
      settled,
      settledAt: settling?.at ?? null,
    });
  }
  return result;
}

/** Kept on time: the first PromiseKept is not past dueAt (at dueAt itself is on time). */
export const keptOnTime = (p: PromiseLifecycle): boolean =>
  p.keptAt !== null && !isPastDeadline(p.dueAt, p.keptAt);

/** Cancelled strictly before its due time: such a promise is not counted as due. */
export const cancelledBeforeDue = (p: PromiseLifecycle): boolean =>
  p.cancelledAt !== null && Date.parse(p.cancelledAt) < Date.parse(p.dueAt);
