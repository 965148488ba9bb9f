import { useMemo } from 'preact/hooks';
import { useApp } from '../../app-context.ts';
import { TimeChart } from '../../charts/time-chart.tsx';
import { Pending } from '../../components/states.tsx';
import { addDays, chartX } from '../../day.ts';
import { graphql, type ResultOf } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

const Kpis = graphql(`
  query MyKpis($accountManagerId: ID, $from: Date!, $to: Date!) {
    dailyKpis(accountManagerId: $accountManagerId, from: $from, to: $to) {
      date
      activeCustomers
      neglected
      nps
      promisesDue
      promisesKeptOnTime
      medianHoursToAcknowledge
    }
  }
`);

type Day = ResultOf<typeof Kpis>['dailyKpis'][number];

interface Tile {
  title: string;
  value: (d: Day) => number | null;
  format: (v: number) => string;
  hint: string;
  color: string;
}

const share = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : null);

const TILES: Tile[] = [
  {
    title: 'NPS (90 days)',
    value: (d) => d.nps,
    format: (v) => v.toFixed(1),
    hint: '-100 to 100',
    color: '#2563eb',
  },
  {
    title: 'Neglected share',
    value: (d) => share(d.neglected, d.activeCustomers),
    format: (v) => `${v.toFixed(1)} %`,
    hint: 'of active relationships; lower is better',
    color: '#b91c1c',
  },
  {
    title: 'Promises kept on time',
    value: (d) => share(d.promisesKeptOnTime, d.promisesDue),
    format: (v) => `${v.toFixed(0)} %`,
    hint: 'of those due that day',
    color: '#047857',
  },
  {
    title: 'Complaints: median hours to acknowledge',
    value: (d) => d.medianHoursToAcknowledge,
    format: (v) => `${v.toFixed(1)} h`,
    hint: 'of those acknowledged that day',
    color: '#a16207',
  },
];

/** The manager's own KPIs today, each with its last 90 days as a sparkline. */
export function KpiTiles({ manager }: { manager: string }) {
  const { organisation } = useApp();
  const to = organisation.today;
  const [{ data, error }, reexecute] = useLiveQuery({
    query: Kpis,
    variables: { accountManagerId: manager, from: addDays(to, -89), to },
  });
  const days = data?.dailyKpis ?? [];
  const xs = useMemo(() => days.map((d) => chartX(d.date)), [days]);
  return (
    <section class="tiles" aria-labelledby="kpi-head">
      <h2 id="kpi-head">Your figures today</h2>
      <Pending what="your KPIs" data={data} error={error} retry={reexecute} />
      {data && (
        <ul class="tile-list">
          {TILES.map((tile) => {
            const values = days.map(tile.value);
            const latest = [...values].reverse().find((v) => v !== null) ?? null;
            return (
              <li class="tile" key={tile.title}>
                <h3>{tile.title}</h3>
                <p class="tile-value">{latest === null ? '—' : tile.format(latest)}</p>
                <p class="tile-hint">{latest === null ? 'no data in the last 90 days' : tile.hint}</p>
                <TimeChart
                  spark
                  height={40}
                  label={`${tile.title} over the last 90 days`}
                  xs={xs}
                  series={[{ label: tile.title, values, color: tile.color }]}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
