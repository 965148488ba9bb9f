import type { CopyValue } from '../schema/copy-rows.ts';
import type { Queryable } from '../schema/interval-rows.ts';

/**
 * A batch's changes to one per-customer table, row by row: rows whose
 * values changed or that are gone are deleted, new and changed rows copied.
 * An in-order NPS answer is one new row; nothing else of its customer moves.
 */
export class RowChanges {
  readonly customers = new Set<string>();
  private readonly deleted: { customer: string; key: string }[] = [];
  private readonly added: CopyValue[][] = [];

  compare<T>(
    customer: string,
    before: readonly T[],
    after: readonly T[],
    key: (row: T) => string,
    values: (row: T) => CopyValue[],
    onChange?: (was: T | undefined, is: T | undefined) => void,
  ): void {
    const old = new Map(before.map((row) => [key(row), row]));
    for (const row of after) {
      const k = key(row);
      const was = old.get(k);
      old.delete(k);
      const next = values(row);
      if (was !== undefined && JSON.stringify(values(was)) === JSON.stringify(next)) continue;
      if (was !== undefined) this.deleted.push({ customer, key: k });
      this.added.push(next);
      this.customers.add(customer);
      onChange?.(was, row);
    }
    for (const [k, was] of old) {
      this.deleted.push({ customer, key: k });
      this.customers.add(customer);
      onChange?.(was, undefined);
    }
  }

  /** One DELETE for the changed and gone rows, one COPY for the new ones. */
  async write(
    db: Queryable,
    table: string,
    keyColumn: string,
    copy: (db: Queryable, rows: readonly CopyValue[][]) => Promise<void>,
  ): Promise<void> {
    if (this.deleted.length > 0) {
      await db.query(
        `delete from ${table} t using unnest($1::text[], $2::text[]) as d(customer_id, key)
         where t.customer_id = d.customer_id and t.${keyColumn} = d.key`,
        [this.deleted.map((d) => d.customer), this.deleted.map((d) => d.key)],
      );
    }
    await copy(db, this.added);
  }
}
