import { Empty, Failed, Loading } from '../../components/states.tsx';
import { graphql } from '../../graphql/graphql.ts';
import { useLiveQuery } from '../../graphql/live-query.ts';

const OutlierFields = graphql(`
  fragment OutlierFields on Outlier {
    id
    detail
    deviation
    accountManagerId
    customerId
  }
`);

const Outliers_ = graphql(
  `
  query DayOutliers($date: Date) {
    neglect: outliers(date: $date, metric: NEGLECTED_SHARE, first: 3) {
      ...OutlierFields
    }
    promises: outliers(date: $date, metric: OVERDUE_PROMISES, first: 3) {
      ...OutlierFields
    }
    nps: outliers(date: $date, metric: NPS_DROP, first: 3) {
      ...OutlierFields
    }
    complaints: outliers(date: $date, metric: LONGEST_OPEN_COMPLAINT, first: 3) {
      ...OutlierFields
    }
  }
`,
  [OutlierFields],
);

/** Learn from the outliers, not the averages: who is furthest above the norm today. */
export function Outliers({ day }: { day: string }) {
  const [{ data, error }] = useLiveQuery({ query: Outliers_, variables: { date: day } });
  if (error) return <Failed what="the outliers" error={error} />;
  if (!data) return <Loading what="the outliers" />;
  const rows = [
    ...data.neglect.map((o) => ({ ...o, what: 'Neglect', href: `/?manager=${encodeURIComponent(o.id)}` })),
    ...data.promises.map((o) => ({
      ...o,
      what: 'Overdue promises',
      href: `/?manager=${encodeURIComponent(o.id)}`,
    })),
    ...data.nps.map((o) => ({
      ...o,
      what: 'NPS drop',
      href: `/relationships/${encodeURIComponent(o.customerId ?? '')}`,
    })),
    ...data.complaints.map((o) => ({
      ...o,
      what: 'Long open complaint',
      href: `/relationships/${encodeURIComponent(o.customerId ?? '')}`,
    })),
  ];
  return (
    <section class="card" aria-labelledby="outliers-head">
      <h2 id="outliers-head">Outliers of the day</h2>
      {rows.length === 0 && <Empty>Nobody stands out today.</Empty>}
      <ul class="plain-list">
        {rows.map((o) => (
          <li key={`${o.what}/${o.id}`}>
            <strong>{o.what}:</strong> <a href={o.href}>{o.id}</a> — {o.detail}{' '}
            <span class="deviation">({o.deviation.toFixed(1)}× the usual spread above the norm)</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
