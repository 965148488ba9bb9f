import { Pending } from '../../components/states.tsx';
import { formatTime } from '../../day.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';
import { OpenComplaintList, SlaClock } from '../morning/open-complaints.tsx';

function Column({ overdue, title }: { overdue: boolean; title: string }) {
  const [{ data, error }] = useLiveQuery({
    query: OpenComplaintList,
    variables: { accountManagerId: null, overdue },
  });
  const complaints = data?.complaints.edges.map((e) => e.node) ?? [];
  return (
    <section class={`card board-column ${overdue ? 'late' : 'on-time'}`} aria-labelledby={`board-${overdue}`}>
      <h3 id={`board-${overdue}`}>
        {title}{' '}
        {data && (
          <span class="count">
            {complaints.length}
            {complaints.length === 100 ? '+' : ''}
          </span>
        )}
      </h3>
      <Pending what={title.toLowerCase()} data={data} error={error} />
      <ul class="plain-list">
        {complaints.map((c) => (
          <li key={`${c.customerId}/${c.complaintId}`}>
            <a href={`/relationships/${encodeURIComponent(c.customerId)}`}>{c.customerId}</a>{' '}
            {c.category ?? ''}, {formatTime(c.receivedAt)}{' '}
            <SlaClock receivedAt={c.receivedAt} breaches={c.slaBreaches} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The complaint recovery board: open complaints by SLA state, whoever waited longest first. */
export function ComplaintBoard() {
  return (
    <section aria-labelledby="board-head">
      <h2 id="board-head">Complaint recovery</h2>
      <div class="pair">
        <Column overdue={true} title="Missing a service level" />
        <Column overdue={false} title="Within service levels" />
      </div>
    </section>
  );
}
