import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

const Managers = graphql(`
  query Managers {
    accountManagers {
      accountManagerId
      activeRelationships
    }
  }
`);

export function ManagerPicker({ value, onPick }: { value: string | null; onPick: (id: string) => void }) {
  const [{ data, error }] = useLiveQuery({ query: Managers });
  if (error) return <p class="state state-error">Could not list the account managers: {error.message}</p>;
  return (
    <label class="picker">
      Account manager{' '}
      <select value={value ?? ''} onChange={(e) => onPick(e.currentTarget.value)}>
        <option value="" disabled>
          {data ? 'Choose …' : 'Loading …'}
        </option>
        {data?.accountManagers.map((m) => (
          <option key={m.accountManagerId} value={m.accountManagerId}>
            {m.accountManagerId} ({m.activeRelationships} relationships)
          </option>
        ))}
      </select>
    </label>
  );
}
