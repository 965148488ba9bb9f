import { Empty, Pending } from '../../components/states.tsx';
import { formatDay } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

const Books = graphql(`
  query ManagerBooks($date: Date) {
    accountManagers(date: $date) {
      accountManagerId
      activeRelationships
      neglected
      neglectedShare
      overduePromises
    }
  }
`);

/** Each account manager's neglected share and overdue promises, side by side (a table with bars). */
export function ManagersSideBySide({ day }: { day: string }) {
  const [{ data, error }, reexecute] = useLiveQuery({ query: Books, variables: { date: day } });
  const books = data?.accountManagers ?? [];
  const maxOverdue = Math.max(1, ...books.map((b) => b.overduePromises));
  return (
    <section class="card" aria-labelledby="managers-head">
      <h2 id="managers-head">Account managers on {formatDay(day)}</h2>
      <Pending what="the account managers" data={data} error={error} retry={reexecute} />
      {data && books.length === 0 && <Empty>No account manager had active relationships on that day.</Empty>}
      {books.length > 0 && (
        <table class="managers">
          <thead>
            <tr>
              <th scope="col">Account manager</th>
              <th scope="col">Active</th>
              <th scope="col">Neglected share</th>
              <th scope="col">Overdue promises</th>
            </tr>
          </thead>
          <tbody>
            {books.map((b) => (
              <tr key={b.accountManagerId}>
                <th scope="row">
                  <a href={`/?manager=${encodeURIComponent(b.accountManagerId)}`}>{b.accountManagerId}</a>
                </th>
                <td>{b.activeRelationships}</td>
                <td>
                  <span
                    class="bar bar-neglected"
                    style={{ width: `${Math.round(b.neglectedShare * 100)}%` }}
                  />
                  {(b.neglectedShare * 100).toFixed(1)} % ({b.neglected})
                </td>
                <td>
                  <span
                    class="bar bar-overdue"
                    style={{ width: `${Math.round((100 * b.overduePromises) / maxOverdue)}%` }}
                  />
                  {b.overduePromises}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
