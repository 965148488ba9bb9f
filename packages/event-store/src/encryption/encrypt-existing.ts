import { PERSONAL_FIELD_NAMES } from '@crh/domain';
import type { Pool } from 'pg';
import { CustomerErasedError, type CustomerKeys } from './customer-keys.ts';
import { MissingKeyError, openEvent, sealEvent } from './event-sealing.ts';
import { ENCRYPTED_PREFIX, type FieldCipher } from './field-cipher.ts';

export interface EncryptExistingProgress {
  /** Events sealed by this run (their plaintext replaced). */
  sealed: number;
  /** Of those, events of erased customers: their personal values nulled (no key to seal with). */
  nulled: number;
  /** The last row position done; a run stopped here resumes after it. */
  afterPosition: string;
  /** The log's last row position when the run started: what it covers. */
  endPosition: string;
  /** Events up to endPosition still unsealed at the end (rows committed late twice over); a run again takes them. */
  remaining: number;
}

export interface EncryptExistingOptions {
  /** Events read and rewritten per transaction; default 1,000. */
  batchSize?: number;
  /** Stops between batches; the progress is kept, a next run resumes. */
  signal?: AbortSignal;
  onBatch?: (progress: EncryptExistingProgress) => void;
}

// Events in the stored version 1 with something to seal: no mark, and a
// personal field or metadata. The rows of the sealed format are skipped.
// (An empty metadata object is nothing personal, as for the append.)
const UNSEALED = `coalesce(metadata->>'$crh', '') <> 'sealed-v1'
  and (data ?| $1::text[] or coalesce(metadata, '{}'::jsonb) <> '{}'::jsonb)`;

interface Row {
  position: string;
  id: string;
  customer_id: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
}

/**
 * `crh encrypt-existing` (docs/erasure.md, "Events stored before
 * sealing"): every event of the PostgreSQL log still in the stored version
 * 1 (plaintext, or sealed without the format's mark) is rewritten in the
 * sealed format, in place, batch by batch in row order: its personal values
 * sealed with its customer's key (created where there is none), or nulled
 * for an erased customer. The one sanctioned rewrite of stored events:
 *
 * - idempotent: an event is rewritten only while it is still as read, and
 *   sealing is deterministic, so what it writes is what an append of the
 *   same event writes now (a client's retry stays a duplicate);
 * - resumable: the last row done is kept in crh.event_format_progress, in
 *   the batch's transaction;
 * - safe while the platform runs: readers read either version as the same
 *   event, and appends are already in the sealed format. A last pass
 *   finds rows committed late below the progress mark.
 */
export async function encryptExistingEvents(
  pool: Pool,
  keys: CustomerKeys,
  options: EncryptExistingOptions = {},
): Promise<EncryptExistingProgress> {
  const batchSize = options.batchSize ?? 1_000;
  const { rows: ends } = await pool.query<{ end: string | null }>(
    'select max(position)::text as end from crh.events',
  );
  const endPosition = ends[0]?.end ?? '0';
  await pool.query(
    'insert into crh.event_format_progress (after_position) values (0) on conflict (singleton) do nothing',
  );
  const { rows: marks } = await pool.query<{ after: string }>(
    'select after_position::text as after from crh.event_format_progress',
  );
  const progress: EncryptExistingProgress = {
    sealed: 0,
    nulled: 0,
    afterPosition: marks[0]!.after,
    endPosition,
    remaining: 0,
  };
  for (let pass = 0; pass < 2; pass++) {
    for (;;) {
      if (options.signal?.aborted) return progress;
      const done = await sealBatch(pool, keys, progress, batchSize);
      options.onBatch?.(progress);
      if (done) break;
    }
    // Rows committed after this run read past them (a transaction that was
    // in flight): found by a scan of the whole range, then done as above.
    const { rows: late } = await pool.query<{ n: number }>(
      `select count(*)::int as n from crh.events where position <= $2 and ${UNSEALED}`,
      [PERSONAL_FIELD_NAMES, endPosition],
    );
    progress.remaining = late[0]!.n;
    if (progress.remaining === 0) break;
    progress.afterPosition = '0';
  }
  return progress;
}

/** One batch after the progress mark, in one transaction with the mark's move; true when the range is done. */
async function sealBatch(
  pool: Pool,
  keys: CustomerKeys,
  progress: EncryptExistingProgress,
  batchSize: number,
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<Row>(
      // Ordered by the column, not by its text (which the select list gives back).
      `select e.position::text as position, e.id, e.customer_id, e.data, e.metadata from crh.events e
        where e.position > $2 and e.position <= $3 and ${UNSEALED}
        order by e.position limit $4`,
      [PERSONAL_FIELD_NAMES, progress.afterPosition, progress.endPosition, batchSize],
    );
    const ciphers = await ciphersFor(keys, rows);
    const rewritten = rows.map((row) => {
      const cipher = ciphers.get(row.customer_id) ?? null;
      const { erased: _erased, ...opened } = openEvent(
        { id: row.id, customerId: row.customer_id, data: row.data, metadata: row.metadata },
        cipher,
      );
      const sealed = sealEvent(opened, cipher);
      return {
        id: row.id,
        data: sealed.data,
        metadata: sealed.metadata,
        old_data: row.data,
        old_metadata: row.metadata,
        erased: cipher === null,
      };
    });
    if (rewritten.length > 0) {
      // Only rows still as read: nothing else ever changes a stored event, but two runs may race.
      const { rowCount } = await client.query(
        `update crh.events e set data = t.data, metadata = t.metadata
           from jsonb_to_recordset($1::jsonb) as t(id uuid, data jsonb, metadata jsonb, old_data jsonb, old_metadata jsonb)
          where e.id = t.id and e.data = t.old_data and e.metadata is not distinct from t.old_metadata`,
        [JSON.stringify(rewritten.map(({ erased: _, ...r }) => r))],
      );
      progress.sealed += rowCount ?? 0;
      progress.nulled += rewritten.filter((r) => r.erased).length;
    }
    const done = rows.length < batchSize;
    progress.afterPosition = done ? progress.endPosition : rows.at(-1)!.position;
    await client.query('update crh.event_format_progress set after_position = $1, updated_at = now()', [
      progress.afterPosition,
    ]);
    await client.query('commit');
    return done;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Each customer's cipher: its key, one made now for a customer that has
 * none, or null once erased. A customer without a key whose rows hold
 * sealed values lost its key (MissingKeyError): a new key would take them
 * for plaintext and seal them again, unreadable for good.
 */
async function ciphersFor(
  keys: CustomerKeys,
  rows: readonly Row[],
): Promise<Map<string, FieldCipher | null>> {
  const customerIds = [...new Set(rows.map((r) => r.customer_id))];
  const ciphers = await keys.forOpening(customerIds);
  let keyless = customerIds.filter((id) => !ciphers.has(id));
  for (const row of rows) {
    if (
      keyless.includes(row.customer_id) &&
      JSON.stringify([row.data, row.metadata]).includes(ENCRYPTED_PREFIX)
    ) {
      throw new MissingKeyError(row.customer_id, row.id);
    }
  }
  while (keyless.length > 0) {
    try {
      for (const [id, cipher] of await keys.forSealing(keyless)) ciphers.set(id, cipher);
      keyless = [];
    } catch (error) {
      if (!(error instanceof CustomerErasedError)) throw error;
      // Erased between the two reads: its values are nulled, as any erased customer's.
      for (const id of error.customerIds) ciphers.set(id, null);
      keyless = keyless.filter((id) => !error.customerIds.includes(id));
    }
  }
  return ciphers;
}
