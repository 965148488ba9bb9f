import {
  addDelight,
  type ComplaintRecord,
  type ComplaintSla,
  type CustomerSignals,
  customerSignals,
  diffDayCounts,
  type LocalDate,
  mergeDayCounts,
  ORGANISATION_SCOPE,
  type PositionedEvent,
  type ScopedDelight,
  type SignalEntry,
  withSignals,
} from '@crh/domain';
import { copyInto } from '../schema/copy-rows.ts';
import type { Queryable } from '../schema/interval-rows.ts';
import {
  answerRow,
  complaintRow,
  copyAnswers,
  copyComplaints,
  copyPromises,
  promiseRow,
} from '../schema/signal-rows.ts';
import type { KpiChanges } from './kpi-changes.ts';
import { RowChanges } from './row-changes.ts';
import { alertsUntil, announceDeadlines, type SignalAlert } from './signal-alerts.ts';

export interface SignalBatchResult {
  /** Customers whose signal history changed. */
  customers: number;
  /** Deadlines the batch showed already passed (see announceDeadlines). */
  alerts: SignalAlert[];
}

export interface SignalBatchOptions {
  /** Announce missed deadlines the batch reveals (off while rebuilding). */
  announce: boolean;
  now: Date;
  sla: ComplaintSla;
}

/**
 * Applies a batch's events to the signal read models, inside the caller's
 * transaction. Per customer with signal events: its stored signal history
 * takes the new entries wherever they belong in time (a late event is just
 * an entry further back), everything the customer contributes is derived
 * again from the whole history, before and after, and only the difference
 * is written: the customer's complaint, promise and answer rows where they
 * changed; the increments to the daily sums and the medians of the days
 * whose complaints changed go into `kpi`, which the caller writes last (see
 * kpi-changes.ts). Customers with only contacts in the batch cost nothing.
 */
export async function applySignalBatch(
  db: Queryable,
  byCustomer: ReadonlyMap<string, readonly PositionedEvent[]>,
  timeZone: string,
  options: SignalBatchOptions,
  kpi: KpiChanges,
): Promise<SignalBatchResult> {
  const stored = await loadHistories(db, [...byCustomer.keys()]);
  const { counts, delight, medianKeys } = kpi;
  const histories: { id: string; history: SignalEntry[] }[] = [];
  const complaints = new RowChanges();
  const promises = new RowChanges();
  const answers = new RowChanges();

  for (const [customerId, events] of byCustomer) {
    const before = stored.get(customerId) ?? [];
    const after = withSignals(before, events);
    if (after === before) continue;
    histories.push({ id: customerId, history: after });
    const old = before.length === 0 ? NOTHING : customerSignals(customerId, before, timeZone);
    const now = customerSignals(customerId, after, timeZone);
    mergeDayCounts(counts, diffDayCounts(old.counts, now.counts));
    addDelightChanges(delight, old, now);
    complaints.compare(
      customerId,
      old.complaints,
      now.complaints,
      (c) => c.complaintId,
      complaintRow,
      (was, is) => {
        // Only a complaint whose acknowledgement or resolution counts differently moves a median.
        if (was && is && medianFacts(was) === medianFacts(is)) return;
        if (was) addMedianKeys(medianKeys, was);
        if (is) addMedianKeys(medianKeys, is);
      },
    );
    promises.compare(customerId, old.promises, now.promises, (p) => p.promiseId, promiseRow);
    answers.compare(customerId, old.answers, now.answers, (a) => a.position, answerRow);
  }
  if (histories.length === 0) return { customers: 0, alerts: [] };

  // Delete and COPY: a JSON history in a text[] parameter would be escaped
  // and parsed as an array literal, the slow part of an upsert.
  await db.query('delete from crh.rm_customer_signals where customer_id = any($1::text[])', [
    histories.map((h) => h.id),
  ]);
  await copyInto(
    db,
    'crh.rm_customer_signals',
    ['customer_id', 'history'],
    histories.map((h) => [h.id, JSON.stringify(h.history)]),
  );
  await complaints.write(db, 'crh.rm_complaints', 'complaint_id', copyComplaints);
  await promises.write(db, 'crh.rm_promises', 'promise_id', copyPromises);
  await answers.write(db, 'crh.rm_nps_answers', 'position', copyAnswers);
  // A late promise or complaint can bring a deadline that time already
  // passed (up to the mark the clock has announced): announce it now.
  const until = options.announce ? await alertsUntil(db) : null;
  const touched = [...new Set([...complaints.customers, ...promises.customers])];
  const alerts =
    until === null || touched.length === 0
      ? []
      : await announceDeadlines(db, { after: null, until, at: options.now }, options.sla, touched);
  return { customers: histories.length, alerts };
}

async function loadHistories(
  db: Queryable,
  customers: readonly string[],
): Promise<Map<string, SignalEntry[]>> {
  const { rows } = await db.query<{ customer_id: string; history: string }>(
    'select customer_id, history from crh.rm_customer_signals where customer_id = any($1::text[])',
    [customers],
  );
  return new Map(rows.map((r) => [r.customer_id, JSON.parse(r.history) as SignalEntry[]]));
}

/** What a customer without signal history contributes. */
export const NOTHING: CustomerSignals = {
  timeline: { onboardedAt: null, segments: [] },
  counts: new Map(),
  complaints: [],
  promises: [],
  answers: [],
  delight: new Map(),
};

const medianFacts = (c: ComplaintRecord) =>
  JSON.stringify([
    c.acknowledgedDay,
    c.acknowledgedManager,
    c.hoursToAcknowledge,
    c.resolvedDay,
    c.resolvedManager,
    c.hoursToResolve,
  ]);

function addMedianKeys(
  keys: Map<string, Set<LocalDate>>,
  c: {
    acknowledgedDay: LocalDate | null;
    acknowledgedManager: string | null;
    resolvedDay: LocalDate | null;
    resolvedManager: string | null;
  },
) {
  const add = (manager: string | null, day: LocalDate | null) => {
    if (manager === null || day === null) return;
    for (const scope of [ORGANISATION_SCOPE, manager]) {
      const set = keys.get(scope) ?? new Set<LocalDate>();
      set.add(day);
      keys.set(scope, set);
    }
  };
  add(c.acknowledgedManager, c.acknowledgedDay);
  add(c.resolvedManager, c.resolvedDay);
}

export function addDelightChanges(into: ScopedDelight, old: CustomerSignals, now: CustomerSignals) {
  const add = (source: ScopedDelight, sign: number) => {
    for (const [scope, actors] of source) {
      for (const [actor, days] of actors) {
        for (const [day, n] of days) addDelight(into, scope, actor, day, sign * n);
      }
    }
  };
  add(old.delight, -1);
  add(now.delight, 1);
}
