import {
  type DomainEvent,
  parseRecordedEvent,
  type RelationshipState,
  relationshipAsOf,
  type TierPolicy,
} from '@crh/domain';
import type { RecordedEvent } from '@crh/event-store';
import type { PoolClient } from 'pg';
import { writeCheckpoint } from './checkpoints.ts';
import { loadCustomerEvents } from './customer-events.ts';

export const RELATIONSHIPS_PROJECTION = 'relationships';

// The "current" row reflects every known event, including ones dated in the
// future; what a given day shows is derived at query time from the events.
const LATEST_DAY = '9999-12-30';

export interface ProjectionContext {
  timeZone: string;
  policy: TierPolicy;
}

export interface BatchResult {
  applied: number;
  parked: number;
  /** Customers whose read-model rows were re-derived. */
  customers: string[];
}

/**
 * Applies one batch inside the caller's transaction: store the events per
 * customer, re-derive the touched customers from all their events (so late and
 * re-delivered events give the same rows as on-time ones), and move the
 * checkpoint. Replaying a batch is harmless: inserts are keyed by event id and
 * the derivation is a pure function of the stored events.
 */
export async function applyRelationshipBatch(
  client: PoolClient,
  batch: readonly RecordedEvent[],
  context: ProjectionContext,
): Promise<BatchResult> {
  const last = batch.at(-1);
  if (!last) return { applied: 0, parked: 0, customers: [] };

  const valid: { record: RecordedEvent; event: DomainEvent }[] = [];
  const parked: { record: RecordedEvent; reason: string }[] = [];
  for (const record of batch) {
    const parsed = parseRecordedEvent(record);
    if (parsed.ok) valid.push({ record, event: parsed.event });
    else parked.push({ record, reason: parsed.reason });
  }

  await insertCustomerEvents(client, valid);
  await parkEvents(client, parked);

  const customers = [...new Set(valid.map((v) => v.event.customerId))];
  const eventsByCustomer = await loadCustomerEvents(client, customers);
  const states: RelationshipState[] = [];
  for (const customerId of customers) {
    const state = relationshipAsOf(eventsByCustomer.get(customerId) ?? [], LATEST_DAY, context);
    if (state) states.push(state);
  }
  await upsertRelationships(client, states);
  await writeCheckpoint(client, RELATIONSHIPS_PROJECTION, last.position);
  return { applied: valid.length, parked: parked.length, customers };
}

async function insertCustomerEvents(
  client: PoolClient,
  valid: readonly { record: RecordedEvent; event: DomainEvent }[],
): Promise<void> {
  if (valid.length === 0) return;
  const records = valid.map((v) => v.record);
  await client.query(
    `insert into crh.rm_customer_events
       (event_id, customer_id, occurred_at, position, revision, type, actor_id, data, metadata, recorded_at)
     select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[],
                          $7::text[], $8::jsonb[], $9::jsonb[], $10::timestamptz[])
     on conflict (event_id) do nothing`,
    [
      records.map((r) => r.id),
      records.map((r) => r.customerId),
      records.map((r) => r.occurredAt),
      records.map((r) => r.position),
      records.map((r) => r.revision),
      records.map((r) => r.type),
      records.map((r) => r.actorId),
      // The parsed data (defaults filled in), so reads never re-apply defaults.
      valid.map((v) => JSON.stringify(v.event.data)),
      records.map((r) => (r.metadata === null ? null : JSON.stringify(r.metadata))),
      records.map((r) => r.recordedAt),
    ],
  );
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

async function upsertRelationships(client: PoolClient, states: readonly RelationshipState[]): Promise<void> {
  if (states.length === 0) return;
  await client.query(
    `insert into crh.rm_relationships
       (customer_id, name, tier, account_manager_id, segment, contract_value, onboarded_at, last_contact_at,
        churned, open_complaints, last_nps_score, updated_at)
     select *, now() from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],
                                 $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::int[], $11::int[])
     on conflict (customer_id) do update set
       name = excluded.name, tier = excluded.tier, account_manager_id = excluded.account_manager_id,
       segment = excluded.segment, contract_value = excluded.contract_value,
       onboarded_at = excluded.onboarded_at, last_contact_at = excluded.last_contact_at,
       churned = excluded.churned, open_complaints = excluded.open_complaints,
       last_nps_score = excluded.last_nps_score, updated_at = now()`,
    [
      states.map((s) => s.customerId),
      states.map((s) => s.name),
      states.map((s) => s.tier),
      states.map((s) => s.accountManagerId),
      states.map((s) => s.segment),
      states.map((s) => s.contractValue),
      states.map((s) => s.onboardedAt),
      states.map((s) => s.lastContactAt),
      states.map((s) => s.status === 'CHURNED'),
      states.map((s) => s.openComplaints),
      states.map((s) => s.lastNpsScore),
    ],
  );
}
