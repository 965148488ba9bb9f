import { useEffect } from 'preact/hooks';
import { RelationshipActions } from '../../actions/relationship-actions.tsx';
import { primaryAnswered } from '../../components/deferred.tsx';
import { Empty, Failed, Loading } from '../../components/states.tsx';
import { VirtualList } from '../../components/virtual-list.tsx';
import { formatTime } from '../../day.ts';
import { StatusBadge } from '../health-badge.tsx';
import { type RelationshipRow, useRelationshipPages } from '../relationship-pages.ts';

/** A relationship in one line: who, how long silent, and a link to it. */
export function RelationshipLine({
  row,
  showManager = false,
}: {
  row: RelationshipRow;
  showManager?: boolean;
}) {
  return (
    <span class="line">
      <a href={`/relationships/${encodeURIComponent(row.customerId)}`}>{row.name ?? row.customerId}</a>
      <span class="tier">{row.tier}</span>
      <StatusBadge status={row.status} />
      <span class="silence" title={row.lastContactAt ? `last contact ${formatTime(row.lastContactAt)}` : ''}>
        {row.daysSinceContact} days silent
      </span>
      {showManager && <span class="manager">{row.accountManagerId}</span>}
      <RelationshipActions compact customerId={row.customerId} name={row.name ?? row.customerId} />
    </span>
  );
}

function AttentionList({
  manager,
  status,
  title,
  empty,
}: {
  manager: string | null;
  status: string;
  title: string;
  empty: string;
}) {
  const pages = useRelationshipPages({ accountManagerId: manager, status: [status] });
  const answered = pages.total !== null || pages.error !== null;
  useEffect(() => {
    if (answered && status === 'NEGLECTED') primaryAnswered();
  }, [answered]);
  const id = `list-${status.toLowerCase()}`;
  return (
    <section class="card" aria-labelledby={id} data-list={status}>
      <h2 id={id}>
        {title} {pages.total !== null && <span class="count">{pages.total}</span>}
      </h2>
      {pages.error && <Failed what={title.toLowerCase()} error={pages.error} />}
      {pages.total === null && !pages.error && <Loading what={title.toLowerCase()} />}
      {pages.total === 0 && <Empty>{empty}</Empty>}
      {pages.total !== null && pages.total > 0 && (
        <VirtualList
          label={`${title}, longest silence first`}
          total={pages.total}
          rows={pages.rows}
          rowHeight={44}
          height={Math.min(pages.total, 8) * 44 + 2}
          loadMore={pages.loadMore}
          rowKey={(r) => r.customerId}
          row={(r) => <RelationshipLine row={r} showManager={manager === null} />}
        />
      )}
    </section>
  );
}

/** The relationships going quiet and neglected in a book, longest silence first. */
export function AttentionLists({ manager }: { manager: string | null }) {
  return (
    <>
      <AttentionList
        manager={manager}
        status="NEGLECTED"
        title="Neglected"
        empty="No neglected relationships: everyone heard from you within their tier's limit."
      />
      <AttentionList
        manager={manager}
        status="GOING_QUIET"
        title="Going quiet"
        empty="Nobody is going quiet right now."
      />
    </>
  );
}
