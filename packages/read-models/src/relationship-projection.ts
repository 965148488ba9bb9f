import {
  byOccurrence,
  extendsFold,
  foldEvent,
  foldHistory,
  type PositionedEvent,
  parseRecordedEvent,
  type RelationshipFold,
  type RuleContext,
  relationshipFromFold,
} from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { writeCheckpoint } from './checkpoints.ts';
import type { HistoryLoader } from './customer-history.ts';

export const RELATIONSHIPS_PROJECTION = 'relationships';

// The "current" row reflects every known event, including ones dated in the
// future; what a given day shows is derived at query time from the events.
const LATEST_DAY = '9999-12-30';

/** The organisation's time zone and tier policy: what the rules depend on. */
export type ProjectionContext = RuleContext;

export interface BatchResult {
  applied: number;
  parked: number;
  /** Customers whose read-model rows were re-derived. */
  customers: string[];
  /** Of those, customers whose history was re-read because an event arrived late. */
  refolded: number;
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

/** Prepares and applies one batch inside the caller's transaction (see applyPreparedBatch). */
export function applyRelationshipBatch(
  client: PoolClient,
  batch: readonly RecordedEvent[],
  context: ProjectionContext,
  histories: HistoryLoader,
): Promise<BatchResult> {
  return applyPreparedBatch(client, prepareRelationshipBatch(batch), context, histories);
}

/**
 * Applies one prepared batch inside the caller's transaction: store the events
 * per customer, bring each touched customer's fold up to date, write its row,
 * and move the checkpoint. Events later in time than everything a customer's
 * fold has seen are folded straight in; a late one (or a re-delivered batch)
 * makes that customer's whole history be re-read and refolded, so the rows
 * always equal a fold of every stored event in occurrence order.
 */
export async function applyPreparedBatch(
  client: PoolClient,
  prepared: PreparedBatch,
  context: ProjectionContext,
  histories: HistoryLoader,
): Promise<BatchResult> {
  const { records: batch, byCustomer, parked } = prepared;
  const last = batch.at(-1);
  if (!last) return { applied: 0, parked: 0, customers: [], refolded: 0 };

  await parkEvents(client, parked);

  const customers = [...byCustomer.keys()];
  const stored = await loadFolds(client, customers);
  const folds = new Map<string, RelationshipFold>();
  const refold: string[] = [];
  for (const [customerId, events] of byCustomer) {
    const fold = stored.get(customerId);
    if (!fold)
      folds.set(customerId, foldHistory(customerId, events)); // first events of this customer
    else if (extendsFold(fold, events[0]!)) folds.set(customerId, events.reduce(foldEvent, fold));
    else refold.push(customerId);
  }
  if (refold.length > 0) {
    // Only what the log has delivered up to this batch: a stream may already
    // hold later events, and folding them in early would make their own batch
    // look late (a refold for every batch they come in).
    const loaded = await histories(refold);
    for (const customerId of refold) {
      const seen = (loaded.get(customerId) ?? []).filter((e) => e.position <= last.position);
      folds.set(customerId, foldHistory(customerId, seen));
    }
  }

  await saveRelationships(client, [...folds.values()], context);
  await writeCheckpoint(client, RELATIONSHIPS_PROJECTION, last.position);
  return { applied: batch.length - parked.length, parked: parked.length, customers, refolded: refold.length };
}

async function parkEvents(
  client: PoolClient,
  parked: readonly { record: RecordedEvent; reason: string }[],
): Promise<void> {
  if (parked.length === 0) return;
  await client.query(
    `insert into crh.parked_events (projection, event_id, position, type, customer_id, reason)
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

async function loadFolds(
  client: PoolClient,
  customers: readonly string[],
): Promise<Map<string, RelationshipFold>> {
  const { rows } = await client.query<{ customer_id: string; fold: RelationshipFold }>(
    'select customer_id, fold from crh.rm_relationships where customer_id = any($1::text[])',
    [customers],
  );
  return new Map(rows.map((r) => [r.customer_id, r.fold]));
}

/** One upsert per batch: the fold and the columns derived from it. */
async function saveRelationships(
  client: PoolClient,
  folds: readonly RelationshipFold[],
  context: ProjectionContext,
): Promise<void> {
  if (folds.length === 0) return;
  const rows = folds.map((fold) => {
    const state = relationshipFromFold(fold, LATEST_DAY, context);
    return {
      ...state,
      customerId: fold.customerId,
      churned: state ? state.status === 'CHURNED' : null,
      fold,
    };
  });
  await client.query(
    `insert into crh.rm_relationships
       (customer_id, name, tier, account_manager_id, segment, contract_value, onboarded_at, last_contact_at,
        churned, open_complaints, last_nps_score, fold, updated_at)
     select "customerId", name, tier, "accountManagerId", segment, "contractValue", "onboardedAt", "lastContactAt",
            churned, "openComplaints", "lastNpsScore", fold, now()
     from jsonb_to_recordset($1::jsonb) as r("customerId" text, name text, tier text, "accountManagerId" text,
          segment text, "contractValue" float8, "onboardedAt" timestamptz, "lastContactAt" timestamptz,
          churned boolean, "openComplaints" int, "lastNpsScore" int, fold jsonb)
     on conflict (customer_id) do update set
       name = excluded.name, tier = excluded.tier, account_manager_id = excluded.account_manager_id,
       segment = excluded.segment, contract_value = excluded.contract_value,
       onboarded_at = excluded.onboarded_at, last_contact_at = excluded.last_contact_at,
       churned = excluded.churned, open_complaints = excluded.open_complaints,
       last_nps_score = excluded.last_nps_score, fold = excluded.fold, updated_at = now()`,
    [JSON.stringify(rows)],
  );
}
