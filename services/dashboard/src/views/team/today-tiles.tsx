import { useApp } from '../../app-context.ts';
import { Failed, Loading } from '../../components/states.tsx';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';
import { TodaysKpiFields, type TodaysKpis } from '../../graphql/live-updates.ts';

const Today = graphql(
  `
  query OrganisationToday($today: Date!) {
    dailyKpis(from: $today, to: $today) {
      ...TodaysKpiFields
    }
  }
`,
  [TodaysKpiFields],
);

/** Today's organisation figures: from the query, then from each live update as it arrives. */
export function TodayTiles({ live }: { live: TodaysKpis | null }) {
  const { organisation } = useApp();
  const [{ data, error }] = useLiveQuery({ query: Today, variables: { today: organisation.today } });
  const queried = data?.dailyKpis[0] ?? null;
  // The newest of the two: a live update is never older than the query it follows.
  const kpis = live && live.date === organisation.today ? live : queried;
  if (error) return <Failed what="today's figures" error={error} />;
  if (!kpis) return <Loading what="today's figures" />;
  const tiles = [
    { id: 'neglected', title: 'Neglected', value: kpis.neglected },
    { id: 'going-quiet', title: 'Going quiet', value: kpis.goingQuiet },
    { id: 'active', title: 'Active relationships', value: kpis.activeCustomers },
    { id: 'open-complaints', title: 'Open complaints', value: kpis.openComplaints },
    { id: 'nps', title: 'NPS (90 days)', value: kpis.nps === null ? '—' : kpis.nps.toFixed(1) },
  ];
  return (
    <section class="tiles" aria-labelledby="today-head">
      <h2 id="today-head">Today</h2>
      <ul class="tile-list" aria-live="polite">
        {tiles.map((t) => (
          <li class="tile" key={t.id}>
            <h3>{t.title}</h3>
            <p class="tile-value" id={`today-${t.id}`}>
              {t.value}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
