import type { PositionedEvent, RelationshipFold, SignalEntry } from '@crh/domain';
import type { Queryable } from '../schema/interval-rows.ts';

/**
 * The customers whose CustomerDataErased event is among these: their
 * personal text leaves the read models in the same transaction.
 */
export function erasedIn(byCustomer: ReadonlyMap<string, readonly PositionedEvent[]>): string[] {
  const erased: string[] = [];
  for (const [customerId, events] of byCustomer) {
    if (events.some((e) => e.type === 'CustomerDataErased')) erased.push(customerId);
  }
  return erased;
}

/**
 * Nulls the personal text the read models keep of these customers
 * (docs/erasure.md): the relationship's name (its fold and every interval)
 * and what each promise said (the promise rows and the signal history).
 * Nothing else changes: no status, interval boundary, count or KPI, so the
 * read models stay what they were, less the text; and what a rebuild after
 * the erasure derives (the events read erased) is the same text-free rows.
 * Returns how many rows held text.
 */
export async function erasePersonalText(db: Queryable, customerIds: readonly string[]): Promise<number> {
  if (customerIds.length === 0) return 0;
  const ids = [...customerIds];
  let rows = 0;
  const run = async (sql: string, values: unknown[] = [ids]) => {
    rows += (await db.query(sql, values)).rowCount ?? 0;
  };
  // The folds and histories are JSON text written whole by the projection:
  // rewritten the same way (key order and spacing as JSON.stringify gives
  // them), so a rebuild writes the very same text.
  const { rows: folds } = await db.query<{ customer_id: string; fold: string }>(
    `select customer_id, fold from crh.rm_relationships
     where customer_id = any($1::text[]) and fold::json->>'name' is not null`,
    [ids],
  );
  if (folds.length > 0) {
    await run(
      `update crh.rm_relationships r set fold = t.fold
       from unnest($1::text[], $2::text[]) as t(customer_id, fold) where r.customer_id = t.customer_id`,
      [
        folds.map((r) => r.customer_id),
        folds.map((r) => JSON.stringify({ ...(JSON.parse(r.fold) as RelationshipFold), name: null })),
      ],
    );
  }
  await run(
    `update crh.rm_relationship_intervals set name = null
     where customer_id = any($1::text[]) and name is not null`,
  );
  await run(
    `update crh.rm_promises set description = null
     where customer_id = any($1::text[]) and description is not null`,
  );
  const { rows: histories } = await db.query<{ customer_id: string; history: string }>(
    `select customer_id, history from crh.rm_customer_signals
     where customer_id = any($1::text[]) and history like '%"what"%'`,
    [ids],
  );
  if (histories.length > 0) {
    const scrubbed = histories.map((r) =>
      JSON.stringify((JSON.parse(r.history) as SignalEntry[]).map(withoutText)),
    );
    await run(
      `update crh.rm_customer_signals s set history = t.history
       from unnest($1::text[], $2::text[]) as t(customer_id, history) where s.customer_id = t.customer_id`,
      [histories.map((r) => r.customer_id), scrubbed],
    );
  }
  return rows;
}

/** A history entry without its personal text (a promise's `what`). */
function withoutText(entry: SignalEntry): SignalEntry {
  if (!('what' in entry)) return entry;
  const { what: _erased, ...rest } = entry;
  return rest;
}
