/**
 * Where a rebuild writes: a schema of tables shaped like the read models'
 * (see shadow-tables.ts). Its own module because the COPY writer needs the
 * name too (see copy-rows.ts), and shadow-tables.ts builds on that writer.
 */
export const SHADOW_SCHEMA = 'crh_next';

/** `crh.rm_x` → `crh_next.rm_x`. */
export const shadowOf = (table: string) => `${SHADOW_SCHEMA}.${table.slice(table.indexOf('.') + 1)}`;

/**
 * The shadow tables are created in the transaction that fills them (see
 * loadShadowTables), so their COPYs may freeze the rows: written visible to
 * all and frozen, they need no vacuum after the swap, and index-only scans
 * work on them at once.
 */
export const isShadowTable = (table: string) => table.startsWith(`${SHADOW_SCHEMA}.`);
