import { Empty, Failed, Loading } from '../../components/states.tsx';
import { formatTime } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';
import { SlaClock } from '../morning/open-complaints.tsx';
import { KeepButton, promiseText } from '../morning/promises-due.tsx';

const Signals = graphql(`
  query RelationshipSignals($customerId: ID!, $asOf: Date) {
    relationship(customerId: $customerId, asOf: $asOf) {
      customerId
      promises(first: 50) {
        edges {
          node {
            promiseId
            description
            dueAt
            status
            keptAt
          }
        }
      }
      complaints(first: 50) {
        edges {
          node {
            complaintId
            category
            status
            receivedAt
            resolvedAt
            outcome
            slaBreaches {
              kind
              running
            }
          }
        }
      }
    }
  }
`);

const PROMISE_WORD: Record<string, string> = {
  OPEN: 'open',
  OVERDUE: 'overdue',
  KEPT_ON_TIME: 'kept on time',
  KEPT_LATE: 'kept late',
  CANCELLED: 'cancelled',
};

export function PromisesAndComplaints({ customerId, asOf }: { customerId: string; asOf: string }) {
  const [{ data, error }, reexecute] = useLiveQuery({ query: Signals, variables: { customerId, asOf } });
  if (error)
    return (
      <Failed
        what="promises and complaints"
        error={error}
        retry={() => reexecute({ requestPolicy: 'network-only' })}
      />
    );
  if (!data) return <Loading what="promises and complaints" />;
  const promises = data.relationship?.promises.edges.map((e) => e.node) ?? [];
  const complaints = data.relationship?.complaints.edges.map((e) => e.node) ?? [];
  return (
    <div class="pair">
      <section class="card" aria-labelledby="rel-promises">
        <h2 id="rel-promises">Promises</h2>
        {promises.length === 0 && <Empty>No promises made to this customer.</Empty>}
        <ul class="plain-list">
          {promises.map((p) => (
            <li key={p.promiseId} class={p.status === 'OVERDUE' ? 'overdue' : ''}>
              {promiseText(p.description)} — <span class="due">{PROMISE_WORD[p.status] ?? p.status}</span>,
              due {formatTime(p.dueAt)}{' '}
              {(p.status === 'OPEN' || p.status === 'OVERDUE') && (
                <KeepButton
                  customerId={customerId}
                  promiseId={p.promiseId}
                  label={promiseText(p.description)}
                />
              )}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="rel-complaints">
        <h2 id="rel-complaints">Complaints</h2>
        {complaints.length === 0 && <Empty>No complaints from this customer.</Empty>}
        <ul class="plain-list">
          {complaints.map((c) => (
            <li key={c.complaintId}>
              {c.category ?? 'complaint'}, received {formatTime(c.receivedAt)} —{' '}
              {c.status === 'OPEN' ? (
                <SlaClock receivedAt={c.receivedAt} breaches={c.slaBreaches} />
              ) : (
                `resolved ${c.resolvedAt ? formatTime(c.resolvedAt) : ''}${c.outcome ? ` (${c.outcome.toLowerCase()})` : ''}`
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
