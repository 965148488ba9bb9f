import { useMemo } from 'preact/hooks';
import { TimeChart } from '../../charts/time-chart.tsx';
import { Empty } from '../../components/states.tsx';
import { chartX, formatDay } from '../../day.ts';

/** The customer's NPS answers over time, with the promoter (9) and detractor (6) lines. */
export function NpsChart({
  answers,
}: {
  answers: readonly { date: string; score: number; touchpoint: string | null }[];
}) {
  const xs = useMemo(() => answers.map((a) => chartX(a.date)), [answers]);
  const last = answers.at(-1);
  return (
    <section class="card" aria-labelledby="nps-head">
      <h2 id="nps-head">NPS answers {answers.length > 0 && <span class="count">{answers.length}</span>}</h2>
      {answers.length === 0 ? (
        <Empty>This customer has not answered the NPS question yet.</Empty>
      ) : (
        <TimeChart
          label={`NPS answers over time; the latest ${last?.score} on ${last ? formatDay(last.date) : ''}`}
          xs={xs}
          height={180}
          series={[{ label: 'Answer (0-10)', values: answers.map((a) => a.score), color: '#2563eb' }]}
          lines={[
            { value: 9, label: 'promoter', color: '#047857' },
            { value: 6, label: 'detractor', color: '#b91c1c' },
          ]}
        />
      )}
    </section>
  );
}
