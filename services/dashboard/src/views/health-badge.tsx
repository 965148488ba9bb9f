import { STATUS_LABEL } from '../charts/status-band.tsx';
import { graphql } from '../graphql/graphql.ts';

/** What the badge and the factor list show of a health score. */
export const HealthFields = graphql(`
  fragment HealthFields on HealthScore {
    score
    band
    factors {
      factor
      points
      detail
    }
  }
`);

const BAND_LABEL: Record<string, string> = { HEALTHY: 'healthy', WATCH: 'watch', AT_RISK: 'at risk' };

/** The score with its band in words, not colour alone. */
export function HealthBadge({ score, band }: { score: number; band: string }) {
  return (
    <span class={`health health-${band.toLowerCase()}`} title="Health score 0-100">
      {score} <span class="band">{BAND_LABEL[band] ?? band}</span>
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`status status-${status.toLowerCase()}`}>
      {(STATUS_LABEL[status] ?? status).toLowerCase()}
    </span>
  );
}

/** The points each factor adds or takes off, in words. */
export function HealthFactors({
  factors,
}: {
  factors: readonly { factor: string; points: number; detail: string }[];
}) {
  return (
    <ul class="factors">
      {factors.map((f) => (
        <li key={f.factor}>
          <span class={f.points < 0 ? 'minus' : 'plus'}>
            {f.points > 0 ? '+' : ''}
            {f.points}
          </span>{' '}
          {f.detail}
        </li>
      ))}
      {factors.length === 0 && <li>Nothing takes points off: a healthy relationship.</li>}
    </ul>
  );
}
