import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isShadowTable } from './shadow-schema.ts';

export type CopyValue = string | number | null | readonly string[];

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const CHUNK_CHARS = 64 * 1024;

/** COPY text format: tab-separated, \N for null, backslash escapes; arrays as quoted literals. */
function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  const text = Array.isArray(value)
    ? `{${value.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`
    : (value as string);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r');
}

/**
 * One row as a COPY line. Most rows need no escape at all: their values go
 * in as they are and their strings are checked once, together (one that
 * needs an escape sends the row through `field`, value by value), which over
 * millions of rows costs a fraction of one check per value.
 */
export function copyLine(row: readonly CopyValue[]): string {
  let line = '';
  let strings = '';
  for (let i = 0; i < row.length; i++) {
    const value = row[i]!;
    let text: string;
    if (value === null) text = '\\N';
    else if (typeof value === 'string') {
      text = value;
      strings += value;
    } else if (typeof value === 'number') text = String(value);
    else text = field(value);
    line = i === 0 ? text : `${line}\t${text}`;
  }
  return NEEDS_ESCAPE.test(strings) ? `${row.map(field).join('\t')}\n` : `${line}\n`;
}

/**
 * Streams rows into a table with COPY on the caller's connection (inside its
 * transaction, if one is open): the cheapest way PostgreSQL takes many rows.
 * Into a rebuild's shadow tables the rows go in frozen (see shadow-schema.ts).
 */
export async function copyInto(
  client: Pick<PoolClient, 'query'>,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<void> {
  const freeze = isShadowTable(table) ? ' with (freeze)' : '';
  const sink = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin${freeze}`));
  // Lines go out in chunks: one write (a CopyData message, a socket write)
  // per row made the socket writes most of a build's time.
  const chunks = function* () {
    let chunk = '';
    for (const row of rows) {
      chunk += copyLine(row);
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  };
  await pipeline(Readable.from(chunks()), sink);
}
