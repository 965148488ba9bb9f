import { useMemo } from 'preact/hooks';
import { TimeChart } from '../../charts/time-chart.tsx';
import { Failed, Loading } from '../../components/states.tsx';
import { chartX } from '../../day.ts';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

const Range = graphql(`
  query OrganisationKpis($from: Date!, $to: Date!) {
    dailyKpis(from: $from, to: $to) {
      date
      neglected
      goingQuiet
      nps
      retentionRate90d
      openComplaints
      complaintsReceived
    }
  }
`);

/** The organisation's daily KPIs over the range, as charts. */
export function KpiCharts({ from, to }: { from: string; to: string }) {
  const [{ data, error }, reexecute] = useLiveQuery({ query: Range, variables: { from, to } });
  const days = data?.dailyKpis ?? [];
  const xs = useMemo(() => days.map((d) => chartX(d.date)), [days]);
  if (error)
    return (
      <Failed what="the KPIs" error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  if (!data) return <Loading what="the KPIs" />;
  return (
    <div class="chart-grid">
      <section class="card" aria-labelledby="c-attention">
        <h2 id="c-attention">Relationships needing attention</h2>
        <TimeChart
          label="Neglected and going-quiet relationships per day"
          xs={xs}
          series={[
            { label: 'Neglected', values: days.map((d) => d.neglected), color: '#b91c1c' },
            { label: 'Going quiet', values: days.map((d) => d.goingQuiet), color: '#d97706' },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="c-nps">
        <h2 id="c-nps">NPS (90-day window)</h2>
        <TimeChart
          label="NPS per day"
          xs={xs}
          series={[{ label: 'NPS', values: days.map((d) => d.nps), color: '#2563eb' }]}
        />
      </section>
      <section class="card" aria-labelledby="c-retention">
        <h2 id="c-retention">Retention over 90 days</h2>
        <TimeChart
          label="Share of customers still active after 90 days, per day"
          xs={xs}
          series={[
            {
              label: 'Retained',
              unit: ' %',
              values: days.map((d) =>
                d.retentionRate90d === null ? null : Math.round(d.retentionRate90d * 1000) / 10,
              ),
              color: '#047857',
            },
          ]}
        />
      </section>
      <section class="card" aria-labelledby="c-complaints">
        <h2 id="c-complaints">Complaints</h2>
        <TimeChart
          label="Open complaints and complaints received per day"
          xs={xs}
          series={[
            { label: 'Open', values: days.map((d) => d.openComplaints), color: '#7c3aed' },
            { label: 'Received', values: days.map((d) => d.complaintsReceived), color: '#64748b' },
          ]}
        />
      </section>
    </div>
  );
}
