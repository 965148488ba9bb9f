import { useMutation } from '@urql/preact';
import { useState } from 'preact/hooks';
import { KeepPromise } from '../../actions/mutations.ts';
import { problemOf } from '../../actions/relationship-actions.tsx';
import { useApp } from '../../app-context.ts';
import { Empty, Pending } from '../../components/states.tsx';
import { addDays, dayIn, formatTime } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { refreshAll, useLiveQuery } from '../../graphql/live-query.ts';

const Due = graphql(`
  query PromisesDue($accountManagerId: ID, $dueBefore: DateTime) {
    promises(accountManagerId: $accountManagerId, status: [OPEN, OVERDUE], dueBefore: $dueBefore, first: 100) {
      edges {
        node {
          promiseId
          customerId
          description
          dueAt
          status
        }
      }
    }
  }
`);

/** What a promise says, or that its customer's personal data was erased (docs/erasure.md). */
export const promiseText = (description: string | null): string => description ?? '(erased)';

export function KeepButton({
  customerId,
  promiseId,
  label,
}: {
  customerId: string;
  promiseId: string;
  label: string;
}) {
  const { viewer } = useApp();
  const [{ fetching }, keep] = useMutation(KeepPromise);
  const [problem, setProblem] = useState<string | null>(null);
  if (!viewer.mayAct) return null;
  return (
    <>
      <button
        type="button"
        disabled={fetching}
        aria-label={`Mark kept: ${label}`}
        onClick={async () => {
          const { error } = await keep({ customerId, promiseId });
          setProblem(error ? problemOf(error) : null);
          if (!error) refreshAll();
        }}
      >
        Kept
      </button>
      {problem && (
        <span class="form-error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}

/** Promises due today and overdue: keep what you promise. */
export function PromisesDue({ manager }: { manager: string }) {
  const { organisation } = useApp();
  // Due before the end of today in the organisation: ask a day more, then keep today's and earlier.
  const [{ data, error }, reexecute] = useLiveQuery({
    query: Due,
    variables: { accountManagerId: manager, dueBefore: `${addDays(organisation.today, 2)}T00:00:00Z` },
  });
  const promises = (data?.promises.edges ?? [])
    .map((e) => e.node)
    .filter((p) => dayIn(p.dueAt, organisation.timeZone) <= organisation.today);
  return (
    <section class="card" aria-labelledby="promises-head">
      <h2 id="promises-head">
        Promises due today and overdue {data && <span class="count">{promises.length}</span>}
      </h2>
      <Pending what="promises" data={data} error={error} retry={reexecute} />
      {data && promises.length === 0 && <Empty>No promise is due today, and none is overdue.</Empty>}
      {promises.length > 0 && (
        <ul class="plain-list">
          {promises.map((p) => (
            <li key={p.promiseId} class={p.status === 'OVERDUE' ? 'overdue' : ''}>
              <a href={`/relationships/${encodeURIComponent(p.customerId)}`}>{p.customerId}</a>:{' '}
              {promiseText(p.description)}{' '}
              <span class="due">
                {p.status === 'OVERDUE' ? 'overdue since' : 'due'} {formatTime(p.dueAt)}
              </span>{' '}
              <KeepButton
                customerId={p.customerId}
                promiseId={p.promiseId}
                label={promiseText(p.description)}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
