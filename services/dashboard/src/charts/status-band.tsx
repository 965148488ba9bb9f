import { addDays, daysBetween, formatDay } from '../day.ts';

export interface StatusPeriod {
  status: string;
  from: string;
  /** Exclusive; null while it lasts. */
  to: string | null;
}

export const STATUS_LABEL: Record<string, string> = {
  ACTIVE: 'Active',
  GOING_QUIET: 'Going quiet',
  NEGLECTED: 'Neglected',
  CHURNED: 'Churned',
};

/**
 * The status band: each period a coloured span on a time axis, up to the
 * day shown. Drawn as SVG rather than with the chart library: these are
 * categories over time, not a series of values, and SVG keeps every span a
 * named element for assistive technology.
 */
export function StatusBand({
  periods,
  until,
  thresholds,
}: {
  periods: StatusPeriod[];
  until: string;
  thresholds: { tier: string; quietAfterDays: number; neglectedAfterDays: number } | undefined;
}) {
  const first = periods[0]?.from;
  if (!first) return <p class="state state-empty">No status history up to {formatDay(until)}.</p>;
  const end = addDays(until, 1);
  const span = Math.max(daysBetween(first, end), 1);
  const x = (day: string) => (daysBetween(first, day) / span) * 1000;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => addDays(first, Math.round(f * (span - 1))));
  return (
    <figure class="status-band">
      <svg viewBox="0 0 1000 60" preserveAspectRatio="none" role="img" aria-labelledby="band-caption">
        <title>Status band</title>
        {periods.map((p) => {
          const to = p.to && p.to < end ? p.to : end;
          return (
            <rect
              key={p.from}
              class={`band-${p.status.toLowerCase()}`}
              x={x(p.from)}
              y={0}
              width={Math.max(x(to) - x(p.from), 1)}
              height={40}
            >
              <title>
                {STATUS_LABEL[p.status] ?? p.status}: {formatDay(p.from)} –{' '}
                {p.to ? formatDay(addDays(p.to, -1)) : 'now'}
              </title>
            </rect>
          );
        })}
      </svg>
      <div class="band-axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t}>{formatDay(t, 'short')}</span>
        ))}
      </div>
      <figcaption id="band-caption">
        Status from {formatDay(first)} to {formatDay(until)}:{' '}
        {periods.map((p) => `${STATUS_LABEL[p.status] ?? p.status} from ${formatDay(p.from)}`).join('; ')}.
        {thresholds && (
          <>
            {' '}
            Tier <strong>{thresholds.tier}</strong>: going quiet after {thresholds.quietAfterDays} days
            without contact, neglected after {thresholds.neglectedAfterDays}.
          </>
        )}
      </figcaption>
      <ul class="legend" aria-hidden="true">
        {Object.entries(STATUS_LABEL).map(([status, label]) => (
          <li key={status}>
            <span class={`swatch band-${status.toLowerCase()}`} />
            {label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
