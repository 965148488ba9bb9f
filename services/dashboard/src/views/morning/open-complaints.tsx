import { Empty, Pending } from '../../components/states.tsx';
import { formatTime } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

export const OpenComplaintList = graphql(`
  query OpenComplaints($accountManagerId: ID, $overdue: Boolean) {
    complaints(accountManagerId: $accountManagerId, status: OPEN, overdue: $overdue, first: 100) {
      edges {
        node {
          complaintId
          customerId
          category
          severity
          receivedAt
          acknowledgedAt
          overdue
          longestSilenceHours
          slaBreaches {
            kind
            running
          }
        }
      }
    }
  }
`);

const SLA_WORD: Record<string, string> = { ACKNOWLEDGE: 'acknowledge', UPDATE: 'update', RESOLVE: 'resolve' };

/** How long it has been open, and which service level it is missing now. */
export function SlaClock({
  receivedAt,
  breaches,
}: {
  receivedAt: string;
  breaches: readonly { kind: string; running: boolean }[];
}) {
  const hours = Math.max(0, (Date.now() - Date.parse(receivedAt)) / 3_600_000);
  const running = breaches.filter((b) => b.running).map((b) => SLA_WORD[b.kind] ?? b.kind);
  return (
    <span class={running.length ? 'sla sla-missed' : 'sla sla-ok'}>
      open {hours < 48 ? `${hours.toFixed(0)} h` : `${(hours / 24).toFixed(0)} days`}
      {running.length ? ` — late to ${running.join(', ')}` : ' — within service levels'}
    </span>
  );
}

/** Open complaints with their SLA clocks, whoever waited longest first. */
export function OpenComplaints({ manager }: { manager: string }) {
  const [{ data, error }, reexecute] = useLiveQuery({
    query: OpenComplaintList,
    variables: { accountManagerId: manager, overdue: null },
  });
  const complaints = data?.complaints.edges.map((e) => e.node) ?? [];
  return (
    <section class="card" aria-labelledby="complaints-head">
      <h2 id="complaints-head">Open complaints {data && <span class="count">{complaints.length}</span>}</h2>
      <Pending what="complaints" data={data} error={error} retry={reexecute} />
      {data && complaints.length === 0 && <Empty>No open complaints in your book.</Empty>}
      {complaints.length > 0 && (
        <ul class="plain-list">
          {complaints.map((c) => (
            <li key={`${c.customerId}/${c.complaintId}`}>
              <a href={`/relationships/${encodeURIComponent(c.customerId)}`}>{c.customerId}</a>:{' '}
              {c.category ?? 'complaint'}
              {c.severity ? ` (${c.severity})` : ''}, received {formatTime(c.receivedAt)}{' '}
              <SlaClock receivedAt={c.receivedAt} breaches={c.slaBreaches} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
