import { randomBytes } from 'node:crypto';
import type { Queryable } from '@crh/postgres';
import { LRUCache } from 'lru-cache';
import { FieldCipher } from './field-cipher.ts';
import { type MasterKey, unwrapDataKey, wrapDataKey } from './master-key.ts';

/** The NOTIFY channel of erasures: its values are the erased customers' ids. */
export const ERASURE_CHANNEL = 'crh_erasures';

/** Appending personal data for a customer whose data was erased (the ingest answers 409). */
export class CustomerErasedError extends Error {
  readonly code = 'CUSTOMER_ERASED';
  readonly customerIds: readonly string[];
  constructor(customerIds: readonly string[]) {
    super(
      `the personal data of customer(s) ${customerIds.join(', ')} was erased; no new personal data is taken`,
    );
    this.name = 'CustomerErasedError';
    this.customerIds = customerIds;
  }
}

export interface CustomerKeysOptions {
  /** The master key that wraps new data keys; older ones (`previous`) still open the keys they wrapped. */
  master: MasterKey;
  previous?: readonly MasterKey[] | undefined;
  /** Customers' ciphers kept in memory (least recently used go first); default 10,000. */
  cacheSize?: number | undefined;
  /**
   * How long a cached cipher is used before its key is read again; default
   * 60 s. The bound on how long another process may still open a customer
   * erased meanwhile, should it miss the erasure's notice.
   */
  cacheTtlMs?: number | undefined;
}

/** This process's master key is not the one the database's data keys are wrapped by. */
export class MasterKeyMismatchError extends Error {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor(recorded: string, loaded: readonly string[]) {
    super(
      `this database's customer keys are wrapped by master key ${recorded}, and this process has ${loaded.join(', ')}: ` +
        "give it the platform's master key (CRH_MASTER_KEY_FILE, or the CRH_DATA_DIR the platform runs with; docs/erasure.md)",
    );
    this.name = 'MasterKeyMismatchError';
  }
}

/** What an erasure did: when the key was destroyed, and whether this call did it (false: erased before). */
export interface KeyErasure {
  erasedAt: string;
  first: boolean;
}

/**
 * The customers' data keys (crh.customer_keys): created with a customer's
 * first sealed event, unwrapped with the master key when read, cached with
 * a bound, and destroyed by an erasure. A customer without a key row had
 * no sealed event; one whose row is empty was erased.
 */
export class CustomerKeys {
  readonly #db: Queryable;
  readonly #master: MasterKey;
  readonly #masters: ReadonlyMap<string, MasterKey>;
  // null: erased. Absent: not known here yet (or no key yet).
  readonly #cache: LRUCache<string, { cipher: FieldCipher | null }>;
  #verified: Promise<void> | undefined;
  // Counts evictions: a key read while one happened is not cached, so an
  // erasure's notice that arrives during the read is not undone by it.
  #evictions = 0;
  // The database's recorded master: what new data keys are wrapped by (during
  // a rotation that may be an older one this process still holds).
  #wrapping: MasterKey | undefined;

  constructor(db: Queryable, options: CustomerKeysOptions) {
    this.#db = db;
    this.#master = options.master;
    this.#masters = new Map([options.master, ...(options.previous ?? [])].map((m) => [m.id, m]));
    this.#cache = new LRUCache({ max: options.cacheSize ?? 10_000, ttl: options.cacheTtlMs ?? 60_000 });
  }

  /**
   * Checks, before anything is sealed or opened, that this process has the
   * master key the database's data keys are wrapped by (the current one, or
   * one being rotated away); a new database records this process's. Throws
   * MasterKeyMismatchError otherwise.
   */
  verifyMaster(): Promise<void> {
    // Once per process (a failure to ask is asked again; a mismatch stays one).
    this.#verified ??= this.#readRecordedMaster().catch((error: unknown) => {
      if (!(error instanceof MasterKeyMismatchError)) this.#verified = undefined;
      throw error;
    });
    return this.#verified;
  }

  async #readRecordedMaster(): Promise<void> {
    await this.#db.query(
      'insert into crh.customer_keys_master (master_key_id) values ($1) on conflict (singleton) do nothing',
      [this.#master.id],
    );
    const { rows } = await this.#db.query<{ master_key_id: string }>(
      'select master_key_id from crh.customer_keys_master',
    );
    const recorded = rows[0]!.master_key_id;
    const master = this.#masters.get(recorded);
    if (!master) throw new MasterKeyMismatchError(recorded, [...this.#masters.keys()]);
    this.#wrapping = master;
  }

  /**
   * Each customer's cipher, creating keys for those without one; throws
   * CustomerErasedError naming those erased (what an append of personal
   * data asks).
   */
  async forSealing(customerIds: readonly string[]): Promise<Map<string, FieldCipher>> {
    const ciphers = await this.#ciphers(customerIds, true);
    const erased = [...ciphers].filter(([, c]) => c === null).map(([id]) => id);
    if (erased.length > 0) throw new CustomerErasedError(erased);
    return ciphers as Map<string, FieldCipher>;
  }

  /**
   * Each customer's cipher to open stored events with: null when erased;
   * absent when the customer never had a key (its events hold nothing sealed,
   * or the keys' table lost it: openEvent tells the two apart).
   */
  forOpening(customerIds: readonly string[]): Promise<Map<string, FieldCipher | null>> {
    return this.#ciphers(customerIds, false);
  }

  async #ciphers(customerIds: readonly string[], create: boolean): Promise<Map<string, FieldCipher | null>> {
    await this.verifyMaster(); // before the first key is made or read
    const out = new Map<string, FieldCipher | null>();
    const missing: string[] = [];
    for (const id of new Set(customerIds)) {
      // Only customers with a row are cached: a cached null is an erasure (final).
      const cached = this.#cache.get(id);
      if (cached) out.set(id, cached.cipher);
      else missing.push(id);
    }
    // Sealing never trusts a cached key alone: another process may have
    // erased the customer since (the cache keeps a key up to its TTL).
    if (create) await this.#forgetErased(out);
    if (missing.length === 0) return out;
    if (create && !(await this.#createKeys(missing))) {
      // The database's master changed (a rotation): learn it, and once more.
      this.#verified = undefined;
      await this.verifyMaster();
      if (!(await this.#createKeys(missing)))
        throw new Error('the master key changed twice while keys were being created; try again');
    }
    const evictions = this.#evictions;
    const found = await this.#keyRows(missing);
    for (const id of missing) {
      const row = found.get(id);
      if (!row) continue; // no key, and no erasure
      const cipher = row.wrapped ? new FieldCipher(this.#unwrap(id, row.wrapped, row.master_key_id!)) : null;
      out.set(id, cipher);
      if (evictions === this.#evictions || cipher === null) this.#cache.set(id, { cipher });
    }
    return out;
  }

  /** Sets to null (erased) the cached keys of customers whose row is empty now. */
  async #forgetErased(cached: Map<string, FieldCipher | null>): Promise<void> {
    const held = [...cached].filter(([, cipher]) => cipher !== null).map(([id]) => id);
    if (held.length === 0) return;
    const { rows } = await this.#db.query<{ customer_id: string }>(
      'select customer_id from crh.customer_keys where customer_id = any($1::text[]) and erased_at is not null',
      [held],
    );
    for (const { customer_id } of rows) {
      cached.set(customer_id, null);
      this.#cache.set(customer_id, { cipher: null });
    }
  }

  /**
   * New keys for these customers, wrapped by the database's recorded master;
   * false when that is no longer the recorded one. The recorded row is read
   * in share mode, so a rotation's switch (an update of it) waits for these
   * inserts and they for it: no key is wrapped by a master the rotation has
   * already left behind. The empty row of an erased customer conflicts: no
   * new key for it.
   */
  async #createKeys(customerIds: readonly string[]): Promise<boolean> {
    const master = this.#wrapping!;
    // In one order everywhere: two appends creating keys for the same new
    // customers would otherwise take their index entries in opposite orders
    // and deadlock (the sealing bench's four appenders did).
    const fresh = [...customerIds]
      .sort()
      .map((id) => ({ id, wrapped: wrapDataKey(master, id, randomBytes(32)) }));
    const { rows } = await this.#db.query<{ current: boolean }>(
      `with current as (
         select true as current from crh.customer_keys_master where master_key_id = $3 for share
       ), inserted as (
         insert into crh.customer_keys (customer_id, wrapped, master_key_id)
         select t.* from unnest($1::text[], $2::bytea[], array_fill($3::text, array[cardinality($1::text[])])) as t
         where exists (select 1 from current)
         on conflict (customer_id) do nothing
       )
       select exists (select 1 from current) as current`,
      [fresh.map((f) => f.id), fresh.map((f) => f.wrapped), master.id],
    );
    return rows[0]!.current;
  }

  #unwrap(customerId: string, wrapped: Buffer, masterId: string): Buffer {
    const master = this.#masters.get(masterId);
    if (!master)
      throw new Error(
        `the data key of customer ${customerId} is wrapped by master key ${masterId}, which is not loaded`,
      );
    return unwrapDataKey(master, customerId, wrapped);
  }

  /**
   * The customers' data keys themselves, read afresh (never from the cache):
   * null for an erased customer; absent for one without a key. What a
   * reader of the sealed Kafka topic asks for (POST /v1/customer-keys).
   */
  async dataKeys(customerIds: readonly string[]): Promise<Map<string, Buffer | null>> {
    await this.verifyMaster();
    const rows = await this.#keyRows([...new Set(customerIds)]);
    return new Map(
      [...rows.values()].map((r) => [
        r.customer_id,
        r.wrapped ? this.#unwrap(r.customer_id, r.wrapped, r.master_key_id!) : null,
      ]),
    );
  }

  /** The key rows of these customers, by customer (none for a customer without one). */
  async #keyRows(customerIds: readonly string[]) {
    const { rows } = await this.#db.query<{
      customer_id: string;
      wrapped: Buffer | null;
      master_key_id: string | null;
    }>(
      'select customer_id, wrapped, master_key_id from crh.customer_keys where customer_id = any($1::text[])',
      [customerIds],
    );
    return new Map(rows.map((r) => [r.customer_id, r]));
  }

  /**
   * Destroys the customer's data key: its row is emptied (or, for a customer
   * that never had one, written empty), so its sealed values open no more and
   * no key is created for it again. Idempotent: a second call answers the
   * first erasure's time.
   */
  async erase(customerId: string): Promise<KeyErasure> {
    const { rows } = await this.#db.query<{ erased_at: string | null; first: boolean }>(
      `select to_json(erased_at)#>>'{}' as erased_at, first from crh.erase_customer_key($1)`,
      [customerId],
    );
    const erasedAt = rows[0]?.erased_at;
    if (!erasedAt)
      throw new Error(
        `the key of customer ${customerId} was not erased (no row, or one still holding a key)`,
      );
    this.#cache.set(customerId, { cipher: null });
    await this.#noticeErasure(customerId);
    return { erasedAt, first: rows[0]!.first };
  }

  /**
   * Tells every process that listens on ERASURE_CHANNEL (each service does,
   * see startService) to forget the key it may hold in its cache, so reads
   * there stop opening the customer's fields at once, not after the cache's
   * TTL. The payload is the change feed's (a prefix, a space, a JSON array),
   * so its subscriber listens. Sent on every erasure, repeats too: a process
   * that missed one while reconnecting hears the next.
   */
  async #noticeErasure(customerId: string): Promise<void> {
    await this.#db.query('select pg_notify($1, $2)', [ERASURE_CHANNEL, `0 ${JSON.stringify([customerId])}`]);
  }

  /** Forgets what this process cached of these customers (another process erased them). */
  evict(customerIds: readonly string[]): void {
    this.#evictions++;
    for (const id of customerIds) this.#cache.delete(id);
  }

  /**
   * Master-key rotation: every data key wrapped by another master is
   * unwrapped and wrapped again by the current one, in batches of `batch`,
   * without touching a single event. Returns how many were re-wrapped.
   */
  async rewrapAll(batch = 1_000): Promise<number> {
    // Nothing changes unless every key in use can be opened here.
    const { rows: inUse } = await this.#db.query<{ master_key_id: string }>(
      'select distinct master_key_id from crh.customer_keys where wrapped is not null',
    );
    const unknown = inUse.map((r) => r.master_key_id).filter((id) => !this.#masters.has(id));
    if (unknown.length > 0)
      throw new Error(
        `data keys are wrapped by master key ${unknown.join(', ')}, which is not loaded: give it in CRH_PREVIOUS_MASTER_KEY_FILES`,
      );
    // The switch first: from here on new keys are wrapped by the current
    // master (processes that create keys learn it at their next insert), and
    // what is left under older ones is re-wrapped below.
    await this.#db.query(
      `insert into crh.customer_keys_master (master_key_id) values ($1)
       on conflict (singleton) do update set master_key_id = excluded.master_key_id, recorded_at = now()`,
      [this.#master.id],
    );
    this.#wrapping = this.#master;
    let done = 0;
    for (;;) {
      const { rows } = await this.#db.query<{ customer_id: string; wrapped: Buffer; master_key_id: string }>(
        `select customer_id, wrapped, master_key_id from crh.customer_keys
         where wrapped is not null and master_key_id <> $1 limit $2`,
        [this.#master.id, batch],
      );
      if (rows.length === 0) return done;
      const ids = rows.map((r) => r.customer_id);
      const rewrapped = rows.map((r) =>
        wrapDataKey(this.#master, r.customer_id, this.#unwrap(r.customer_id, r.wrapped, r.master_key_id)),
      );
      // Only rows still as read: one erased meanwhile stays erased.
      const { rowCount } = await this.#db.query(
        `update crh.customer_keys k set wrapped = t.wrapped, master_key_id = $3
         from unnest($1::text[], $2::bytea[]) as t(customer_id, wrapped)
         where k.customer_id = t.customer_id and k.wrapped is not null and k.master_key_id <> $3`,
        [ids, rewrapped, this.#master.id],
      );
      done += rowCount ?? 0;
      this.evict(ids);
    }
  }
}
