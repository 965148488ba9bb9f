import {
  byOccurrence,
  type ComplaintSla,
  DEFAULT_COMPLAINT_SLA,
  emptyFold,
  extendsFold,
  type IntervalWalk,
  intervalOn,
  type LocalDate,
  localDateOf,
  ORGANISATION_SCOPE,
  type PositionedEvent,
  parseRecordedEvent,
  type RelationshipFold,
  type RelationshipStatus,
  type RuleContext,
  type StatusInterval,
  spliceIntervals,
  walkIntervals,
} from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import { copyInto } from '../schema/copy-rows.ts';
import {
  deleteIntervalsFrom,
  insertIntervals,
  loadHoldingIntervals,
  type Queryable,
} from '../schema/interval-rows.ts';
import type { HistoryLoader } from './customer-history.ts';
import { addLevelChanges, noKpiChanges, writeKpiChanges } from './kpi-changes.ts';
import { erasedIn, erasePersonalText } from './personal-text-erasure.ts';
import type { SignalAlert } from './signal-alerts.ts';
import { applySignalBatch } from './signal-projection.ts';
import { recordStatusChanges, type StatusChange } from './status-changes.ts';

/** The organisation's time zone, tier policy and cadence: what the rules depend on. */
export type ProjectionContext = RuleContext;

export interface BatchOptions {
  /** Record status changes on the change feed (off while rebuilding from an empty read model). */
  announce: boolean;
  now: () => Date;
  /**
   * The read-model fingerprint this projector works with: a batch finding
   * another one stored (another projector rebuilt them) fails rather than mix.
   */
  fingerprint?: string | undefined;
  /** Complaint service levels for deadlines a batch shows already passed; default DEFAULT_COMPLAINT_SLA. */
  complaintSla?: ComplaintSla | undefined;
  /**
   * Fault injection, for tests only: called with each customer's slice
   * before it is applied; what it throws fails that slice as a poison event
   * would (the projector parks it and blocks the customer).
   */
  faultInjector?: ((customerId: string, events: readonly PositionedEvent[]) => void) | undefined;
}

export interface BatchResult {
  /** The events this batch applied (parked ones included), in log order. */
  records: readonly RecordedEvent[];
  /** Whether the batch's changes are news (false while a rebuild catches up quietly). */
  announced: boolean;
  applied: number;
  parked: number;
  /** Customers whose read-model rows were re-derived. */
  customers: string[];
  /** Of those, customers whose history was re-read because an event arrived late. */
  refolded: number;
  /** Changes of status as of the turned day that this batch caused (empty when not announcing). */
  statusChanges: StatusChange[];
  /** Missed deadlines the batch revealed (empty when not announcing). */
  alerts: SignalAlert[];
  /**
   * KPI scopes whose figures the batch may have changed: the organisation
   * ('') and the managers of touched customers, before and after (empty when
   * not announcing).
   */
  kpiScopes: string[];
  /** Wall time of steps inside the transaction, in milliseconds (the bench reports them). */
  timings?: BatchTimings;
}

/**
 * Where a batch's time goes, in milliseconds of wall time: reading the
 * touched customers' stored state, folding (CPU, in this process), writing
 * the intervals (and with them the KPI levels, by trigger), the signal read
 * models, and the customers' rows with their announcements.
 */
export interface BatchTimings {
  readMs: number;
  foldMs: number;
  intervalsMs: number;
  signalsMs: number;
  saveMs: number;
  /** The shared KPI rows, under their lock (waiting for other partitions' batches included). */
  kpiMs: number;
}

/** A batch that applied nothing yet: where results start (an empty batch, a merge). */
export function emptyBatchResult(records: readonly RecordedEvent[], announced: boolean): BatchResult {
  return {
    records,
    announced,
    applied: 0,
    parked: 0,
    customers: [],
    refolded: 0,
    statusChanges: [],
    alerts: [],
    kpiScopes: [],
  };
}

/** A batch parsed and grouped per customer: pure CPU work, done ahead of the transaction. */
export interface PreparedBatch {
  records: readonly RecordedEvent[];
  byCustomer: Map<string, PositionedEvent[]>;
  parked: { record: RecordedEvent; reason: string }[];
}

export function prepareRelationshipBatch(records: readonly RecordedEvent[]): PreparedBatch {
  const byCustomer = new Map<string, PositionedEvent[]>();
  const parked: { record: RecordedEvent; reason: string }[] = [];
  for (const record of records) {
    const parsed = parseRecordedEvent(record);
    if (!parsed.ok) {
      parked.push({ record, reason: parsed.reason });
      continue;
    }
    const event = { ...parsed.event, position: record.position } as PositionedEvent;
    const list = byCustomer.get(event.customerId);
    if (list) list.push(event);
    else byCustomer.set(event.customerId, [event]);
  }
  for (const events of byCustomer.values()) events.sort(byOccurrence);
  return { records, byCustomer, parked };
}

interface StoredRelationship {
  fold: RelationshipFold;
  announced: RelationshipStatus | null;
}

/** What a batch does to one customer: its new fold and the intervals that replace stored ones. */
interface CustomerUpdate {
  fold: RelationshipFold;
  /** Stored intervals from this day on are replaced ('-infinity': all). */
  replaceFrom: LocalDate;
  intervals: StatusInterval[];
}

const ALL_DAYS = '-infinity';

/**
 * The rows of one prepared batch, inside the caller's transaction, without
 * the clock or the checkpoint, and without blocking: applyWithBlocking
 * (live batches, a build's catch-up at its swap) and applyInOrder (retries)
 * wrap it.
 */
export async function applyToReadModels(
  client: PoolClient,
  prepared: PreparedBatch,
  turnedDay: LocalDate,
  context: ProjectionContext,
  histories: HistoryLoader,
  options: BatchOptions,
): Promise<BatchResult> {
  const { records: batch, byCustomer, parked } = prepared;
  const last = batch.at(-1)!;
  await parkEvents(client, parked);
  if (options.faultInjector) for (const [id, events] of byCustomer) options.faultInjector(id, events);

  const customers = [...byCustomer.keys()];
  const clock = phaseClock();
  const stored = await loadRelationships(client, customers);
  clock.lap('readMs');
  const updates = new Map<string, CustomerUpdate>();
  const extended = new Map<string, { walk: IntervalWalk; day: LocalDate }>();
  const refold: string[] = [];
  // An erased customer is folded again from its history, which now reads
  // erased: its intervals become what a rebuild would make of them (an
  // interval that differed from the next only by the name merges with it).
  const erased = erasedIn(byCustomer);
  for (const [customerId, events] of byCustomer) {
    const fold = stored.get(customerId)?.fold;
    if (fold && erased.includes(customerId)) refold.push(customerId);
    else if (!fold) {
      const walk = walkIntervals(emptyFold(customerId), events, context);
      updates.set(customerId, { fold: walk.fold, replaceFrom: ALL_DAYS, intervals: walk.intervals });
    } else if (extendsFold(fold, events[0]!)) {
      const day = localDateOf(events[0]!.occurredAt, context.timeZone);
      extended.set(customerId, { walk: walkIntervals(fold, events, context), day });
    } else refold.push(customerId);
  }

  clock.lap('foldMs');
  const holding = await loadHoldingIntervals(
    client,
    new Map([...extended].map(([customerId, { day }]) => [customerId, day])),
  );
  clock.lap('readMs');
  for (const [customerId, { walk, day }] of extended) {
    const splice = spliceIntervals(holding.get(customerId), day, walk.intervals);
    updates.set(customerId, { fold: walk.fold, ...splice });
  }

  if (refold.length > 0) {
    // Only what the log has delivered up to this batch: a stream may already
    // hold later events, and folding them in early would make their own batch
    // look late (a refold for every batch they come in).
    clock.lap('foldMs');
    const loaded = await histories(refold);
    clock.lap('readMs');
    for (const customerId of refold) {
      const seen = (loaded.get(customerId) ?? []).filter((e) => e.position <= last.position);
      const walk = walkIntervals(emptyFold(customerId), seen.sort(byOccurrence), context);
      updates.set(customerId, { fold: walk.fold, replaceFrom: ALL_DAYS, intervals: walk.intervals });
    }
  }

  clock.lap('foldMs');
  // The KPI levels follow the intervals: what the deleted ones counted goes,
  // what the new ones count comes (written last, see kpi-changes.ts).
  const kpi = noKpiChanges();
  const deleted = await deleteIntervalsFrom(
    client,
    new Map([...updates].map(([id, u]) => [id, u.replaceFrom])),
  );
  const written = [...updates.values()].flatMap((u) => u.intervals);
  await insertIntervals(client, written);
  addLevelChanges(kpi.levels, deleted, -1);
  addLevelChanges(kpi.levels, written, 1);

  clock.lap('intervalsMs');
  // The signals (daily KPIs, complaints, promises, NPS, fans) in the same
  // transaction: one checkpoint covers every read model.
  const signals = await applySignalBatch(
    client,
    byCustomer,
    context.timeZone,
    {
      announce: options.announce,
      now: options.now(),
      sla: options.complaintSla ?? DEFAULT_COMPLAINT_SLA,
    },
    kpi,
  );
  clock.lap('signalsMs');

  const changes = announcements(updates, stored, turnedDay, options.now().toISOString());
  await saveRelationships(client, updates, stored, changes);
  if (options.announce) await recordStatusChanges(client, changes);
  // Last, over what this batch wrote too: events read before the erasure
  // (an earlier batch, or this one) may have brought the text.
  await erasePersonalText(client, erased);
  clock.lap('saveMs');
  await writeKpiChanges(client, kpi);
  clock.lap('kpiMs');
  return {
    records: batch,
    announced: options.announce,
    applied: batch.length - parked.length,
    parked: parked.length,
    customers,
    refolded: refold.length,
    statusChanges: options.announce ? changes : [],
    alerts: signals.alerts,
    kpiScopes: options.announce ? kpiScopes(updates, stored) : [],
    timings: clock.timings,
  };
}

/** Adds the time since the last lap to a phase. */
function phaseClock() {
  const timings: BatchTimings = { readMs: 0, foldMs: 0, intervalsMs: 0, signalsMs: 0, saveMs: 0, kpiMs: 0 };
  let last = performance.now();
  return {
    timings,
    lap(phase: keyof BatchTimings) {
      const now = performance.now();
      timings[phase] += now - last;
      last = now;
    },
  };
}

/** The organisation and every manager a touched customer had before or has after the batch. */
function kpiScopes(
  updates: ReadonlyMap<string, CustomerUpdate>,
  stored: ReadonlyMap<string, StoredRelationship>,
): string[] {
  const scopes = new Set<string>([ORGANISATION_SCOPE]);
  for (const [customerId, update] of updates) {
    const before = stored.get(customerId)?.fold.accountManagerId;
    if (before) scopes.add(before);
    if (update.fold.accountManagerId) scopes.add(update.fold.accountManagerId);
  }
  return [...scopes];
}

/**
 * The customers whose status as of the turned day differs from the one last
 * announced. A splice that starts after the turned day leaves it as it was.
 */
function announcements(
  updates: ReadonlyMap<string, CustomerUpdate>,
  stored: ReadonlyMap<string, StoredRelationship>,
  turnedDay: LocalDate,
  at: string,
): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const [customerId, update] of updates) {
    if (update.replaceFrom !== ALL_DAYS && update.replaceFrom > turnedDay) continue;
    const interval = intervalOn(update.intervals, turnedDay);
    const before = stored.get(customerId)?.announced ?? null;
    const now = interval?.status ?? null;
    if (now === null || now === before) continue;
    changes.push({
      customerId,
      accountManagerId: interval!.accountManagerId,
      from: before,
      to: now,
      day: turnedDay,
      at,
      cause: 'event',
    });
  }
  return changes;
}

/** Keeps events the current code cannot read, with the reason (never fatal). */
export async function parkEvents(
  client: Queryable,
  parked: readonly { record: RecordedEvent; reason: string }[],
  table = 'crh.parked_events',
): Promise<void> {
  if (parked.length === 0) return;
  await client.query(
    `insert into ${table} (projection, event_id, position, type, customer_id, reason)
     select $1, * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
     on conflict do nothing`,
    [
      RELATIONSHIPS_PROJECTION,
      parked.map((p) => p.record.id),
      parked.map((p) => p.record.position),
      parked.map((p) => p.record.type),
      parked.map((p) => p.record.customerId),
      parked.map((p) => p.reason),
    ],
  );
}

async function loadRelationships(
  client: Queryable,
  customers: readonly string[],
): Promise<Map<string, StoredRelationship>> {
  const { rows } = await client.query<{
    customer_id: string;
    fold: string;
    announced_status: RelationshipStatus | null;
  }>(
    'select customer_id, fold, announced_status from crh.rm_relationships where customer_id = any($1::text[])',
    [customers],
  );
  return new Map(
    rows.map((r) => [
      r.customer_id,
      { fold: JSON.parse(r.fold) as RelationshipFold, announced: r.announced_status },
    ]),
  );
}

/**
 * Each customer's fold and announced status, deleted and written again with
 * COPY: the folds as JSON text in a text[] parameter would be escaped and
 * parsed as an array literal, the slow part of an upsert (measured: the
 * largest step of a batch after the intervals).
 */
async function saveRelationships(
  client: Queryable,
  updates: ReadonlyMap<string, CustomerUpdate>,
  stored: ReadonlyMap<string, StoredRelationship>,
  changes: readonly StatusChange[],
): Promise<void> {
  const announced = new Map(changes.map((c) => [c.customerId, c.to]));
  const ids = [...updates.keys()];
  if (ids.length === 0) return;
  await client.query('delete from crh.rm_relationships where customer_id = any($1::text[])', [ids]);
  await copyInto(
    client,
    'crh.rm_relationships',
    ['customer_id', 'fold', 'announced_status'],
    ids.map((id) => [
      id,
      JSON.stringify(updates.get(id)!.fold),
      announced.get(id) ?? stored.get(id)?.announced ?? null,
    ]),
  );
}
