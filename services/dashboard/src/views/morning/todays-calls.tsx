import { RelationshipActions } from '../../actions/relationship-actions.tsx';
import { Empty, Pending } from '../../components/states.tsx';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';
import { HealthBadge, HealthFactors, HealthFields } from '../health-badge.tsx';

const Calls = graphql(
  `
  query TodaysCalls($accountManagerId: ID!) {
    todaysCalls(accountManagerId: $accountManagerId, first: 8) {
      reason
      explanation
      health {
        ...HealthFields
      }
      relationship {
        customerId
        name
        tier
        daysSinceContact
      }
    }
  }
`,
  [HealthFields],
);

export const REASON_LABEL: Record<string, string> = {
  NEGLECTED_STRATEGIC: 'Strategic and neglected',
  OVERDUE_PROMISE: 'A promise is overdue',
  DETRACTOR_WITHOUT_FOLLOW_UP: 'Unhappy, no follow-up yet',
  NEGLECTED: 'Neglected',
  BEYOND_CADENCE: 'Silent far beyond its rhythm',
  GOING_QUIET: 'Going quiet',
  PROMOTER_TO_DELIGHT: 'A fan worth delighting',
};

/** The daily digest: a short ranked list, each with the reason in words and the health factors. */
export function TodaysCalls({ manager }: { manager: string }) {
  const [{ data, error }, reexecute] = useLiveQuery({
    query: Calls,
    variables: { accountManagerId: manager },
  });
  return (
    <section class="card calls" aria-labelledby="calls-head">
      <h2 id="calls-head">Call today</h2>
      <Pending what="today's calls" data={data} error={error} retry={reexecute} />
      {data && data.todaysCalls.length === 0 && (
        <Empty>Nobody needs a call today: every relationship in your book is in good shape.</Empty>
      )}
      {data && data.todaysCalls.length > 0 && (
        <ol class="call-list">
          {data.todaysCalls.map((call) => (
            <li key={call.relationship.customerId} class="call">
              <div class="call-head">
                <a href={`/relationships/${encodeURIComponent(call.relationship.customerId)}`}>
                  {call.relationship.name ?? call.relationship.customerId}
                </a>
                <span class="tier">{call.relationship.tier}</span>
                <HealthBadge score={call.health.score} band={call.health.band} />
              </div>
              <p class="reason">
                <strong>{REASON_LABEL[call.reason] ?? call.reason}:</strong> {call.explanation}
              </p>
              <details>
                <summary>Why this score</summary>
                <HealthFactors factors={call.health.factors} />
              </details>
              <RelationshipActions
                customerId={call.relationship.customerId}
                name={call.relationship.name ?? call.relationship.customerId}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
