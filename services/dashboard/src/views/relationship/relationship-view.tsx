import { useLocation, useRoute } from 'preact-iso';
import { RelationshipActions } from '../../actions/relationship-actions.tsx';
import { useApp } from '../../app-context.ts';
import { StatusBand } from '../../charts/status-band.tsx';
import { Failed, Loading } from '../../components/states.tsx';
import { formatDay, formatTime, isDay } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';
import { useLiveUpdates } from '../../graphql/live-updates.ts';
import { HealthBadge, HealthFactors, HealthFields, StatusBadge } from '../health-badge.tsx';
import { NpsChart } from './nps-chart.tsx';
import { PromisesAndComplaints } from './promises-and-complaints.tsx';
import { SilenceMeter } from './silence-meter.tsx';
import { Timeline } from './timeline.tsx';

const OneRelationship = graphql(
  `
  query OneRelationship($customerId: ID!, $asOf: Date) {
    relationship(customerId: $customerId, asOf: $asOf) {
      customerId
      asOf
      name
      tier
      segment
      contractValue
      accountManagerId
      status
      onboardedAt
      lastContactAt
      daysSinceContact
      typicalContactGapDays
      beyondCadence
      health {
        ...HealthFields
      }
      statusHistory(to: $asOf) {
        status
        from
        to
      }
      npsAnswers {
        date
        score
        touchpoint
      }
    }
  }
`,
  [HealthFields],
);

/** `/relationships/:customerId?asOf=YYYY-MM-DD`: one relationship as it stood on a day. */
export function RelationshipView() {
  const { params } = useRoute();
  const { query, route, path } = useLocation();
  const { organisation, viewer } = useApp();
  const customerId = params.customerId ?? '';
  const asOf = isDay(query.asOf) && query.asOf <= organisation.today ? query.asOf : organisation.today;
  const today = asOf === organisation.today;
  const [{ data, error }, reexecute] = useLiveQuery({
    query: OneRelationship,
    variables: { customerId, asOf },
  });
  useLiveUpdates(viewer.accountManagerId);
  const picker = (
    <label class="picker">
      As of{' '}
      <input
        type="date"
        value={asOf}
        max={organisation.today}
        onChange={(e) => {
          const day = e.currentTarget.value;
          route(day && day !== organisation.today ? `${path}?asOf=${day}` : path);
        }}
      />
    </label>
  );
  if (error)
    return (
      <Failed
        what={`relationship ${customerId}`}
        error={error}
        retry={() => reexecute({ requestPolicy: 'network-only' })}
      />
    );
  if (!data) return <Loading what={`relationship ${customerId}`} />;
  const r = data.relationship;
  if (!r) {
    return (
      <section aria-labelledby="rel-head">
        <div class="view-head">
          <h1 id="rel-head">{customerId}</h1>
          {picker}
        </div>
        <p class="state state-empty" role="status">
          {viewer.readsEveryBook
            ? `No relationship ${customerId} as of ${formatDay(asOf)}: it was not onboarded by then, or does not exist.`
            : `${customerId} is not in your book as of ${formatDay(asOf)}. It may be another account manager's customer, or not exist (yet).`}{' '}
          <a href="/">Back to your morning</a>.
        </p>
      </section>
    );
  }
  const thresholds = organisation.tierThresholds.find((t) => t.tier === r.tier);
  return (
    <article aria-labelledby="rel-head" class="relationship">
      <div class="view-head">
        <h1 id="rel-head">{r.name ?? r.customerId}</h1>
        {picker}
      </div>
      <p class="as-of" role="status">
        {today ? 'As it stands today' : `As it stood at the end of ${formatDay(asOf)}`} (
        {organisation.timeZone})
      </p>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={r.status} />
          </dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <HealthBadge score={r.health.score} band={r.health.band} />
          </dd>
        </div>
        <div>
          <dt>Silent for</dt>
          <dd>{r.daysSinceContact} days</dd>
        </div>
        <div>
          <dt>Last contact</dt>
          <dd>{r.lastContactAt ? formatTime(r.lastContactAt) : 'never'}</dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd>{r.tier}</dd>
        </div>
        <div>
          <dt>Account manager</dt>
          <dd>{r.accountManagerId ?? '—'}</dd>
        </div>
        <div>
          <dt>Customer id</dt>
          <dd>{r.customerId}</dd>
        </div>
      </dl>
      {today && <RelationshipActions customerId={r.customerId} name={r.name ?? r.customerId} />}
      <section class="card" aria-labelledby="band-head">
        <h2 id="band-head">Status over time</h2>
        <SilenceMeter
          days={r.daysSinceContact}
          thresholds={thresholds}
          typicalGap={r.typicalContactGapDays}
        />
        <StatusBand periods={r.statusHistory} until={asOf} thresholds={thresholds} />
      </section>
      <section class="card" aria-labelledby="health-head">
        <h2 id="health-head">Health {r.health.score} of 100</h2>
        <HealthFactors factors={r.health.factors} />
      </section>
      <NpsChart answers={r.npsAnswers} />
      <PromisesAndComplaints customerId={r.customerId} asOf={asOf} />
      <Timeline customerId={r.customerId} />
    </article>
  );
}
