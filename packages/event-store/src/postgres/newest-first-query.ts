import type { QueryConfig } from 'pg';
import type { NewestFirstPage } from '../port.ts';
import { EVENT_COLUMNS } from './event-row.ts';
import { decodePosition } from './position.ts';

/**
 * Every page in one statement: one row of parameters per page (unnested
 * arrays), and per page a LATERAL backward range scan of the
 * (stream_id, occurred_at, tx_id, position) index from the cursor, stopped
 * after the page's limit. A first page's cursor is the largest key there
 * can be, so the cursor is always an index condition, never a filter that
 * would walk the pages before it. Rows come back tagged with their page's index and
 * in page order (occurred_at is the fixed-width ISO text EVENT_COLUMNS
 * makes of it, so its byte order is time order). No gap-free filter: appends to one stream are serialised by
 * its lock, so a stream never shows a later revision without the earlier ones.
 */
export function newestFirstQuery(pages: readonly NewestFirstPage[]): QueryConfig {
  const after = pages.map((p) => (p.after ? decodePosition(p.after.position) : null));
  return {
    text: `select p.page, e.* from unnest($1::text[], $2::timestamptz[], $3::xid8[], $4::bigint[], $5::int[])
             with ordinality as p(stream_id, after_at, after_tx, after_position, page_limit, page)
           cross join lateral (
             select ${EVENT_COLUMNS} from crh.events e
             where e.stream_id = p.stream_id
               and (e.occurred_at, e.tx_id, e.position) < (
                     coalesce(p.after_at, 'infinity'),
                     coalesce(p.after_tx, '18446744073709551615'::xid8),
                     coalesce(p.after_position, 9223372036854775807))
             order by e.occurred_at desc, e.tx_id desc, e.position desc
             limit p.page_limit
           ) e
           order by p.page, e.occurred_at collate "C" desc, e.tx_id desc, e.position desc`,
    values: [
      pages.map((p) => `customer-${p.customerId}`),
      pages.map((p) => p.after?.occurredAt ?? null),
      after.map((a) => a?.txId ?? null),
      after.map((a) => a?.position ?? null),
      pages.map((p) => Math.max(0, Math.floor(p.limit))),
    ],
  };
}
