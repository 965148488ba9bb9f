import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useApp } from '../../app-context.ts';
import { Deferred } from '../../components/deferred.tsx';
import { addDays, formatDay, isDay } from '../../day.ts';
import { onRefresh } from '../../graphql/live-query.ts';
import { type StatusChange, type TodaysKpis, useLiveUpdates } from '../../graphql/live-updates.ts';
import { AttentionLists } from '../morning/attention-lists.tsx';
import { ComplaintBoard } from './complaint-board.tsx';
import { KpiCharts } from './kpi-charts.tsx';
import { LiveChanges } from './live-changes.tsx';
import { ManagersSideBySide } from './managers-side-by-side.tsx';
import { Outliers } from './outliers.tsx';
import { TodayTiles } from './today-tiles.tsx';

/** `/team?from=&to=`: the team lead's board, live. */
export function TeamView() {
  const { organisation, viewer } = useApp();
  const { query, route, path } = useLocation();
  const to = isDay(query.to) && query.to <= organisation.today ? query.to : organisation.today;
  const from = isDay(query.from) && query.from <= to ? query.from : addDays(to, -89);
  const [live, setLive] = useState<TodaysKpis | null>(null);
  const [changes, setChanges] = useState<StatusChange[]>([]);
  // Asked again (after a reconnect, a mutation): the answer is newer than the last pushed figures.
  useEffect(() => onRefresh(() => setLive(null)), []);
  useLiveUpdates(null, {
    kpis: setLive,
    status: (change) => setChanges((old) => [change, ...old].slice(0, 12)),
  });
  if (!viewer.readsEveryBook) {
    return (
      <p class="state state-empty" role="status">
        The team board shows every book; your sign-in reads your own. <a href="/">Your morning</a> has your
        figures.
      </p>
    );
  }
  const setRange = (nextFrom: string, nextTo: string) => route(`${path}?from=${nextFrom}&to=${nextTo}`);
  return (
    <>
      <div class="view-head">
        <h1>Team board</h1>
        <fieldset class="range">
          <legend>Days shown</legend>
          <label>
            From{' '}
            <input type="date" value={from} max={to} onChange={(e) => setRange(e.currentTarget.value, to)} />
          </label>
          <label>
            to{' '}
            <input
              type="date"
              value={to}
              min={from}
              max={organisation.today}
              onChange={(e) => setRange(from, e.currentTarget.value)}
            />
          </label>
        </fieldset>
      </div>
      <p class="as-of">
        {formatDay(from)} – {formatDay(to)}; today's figures update live.
      </p>
      <TodayTiles live={live} />
      {/* The lists first (components/deferred.tsx): the charts and outliers are heavier queries. */}
      <div class="pair">
        <AttentionLists manager={null} />
      </div>
      <Deferred minHeight={600}>
        <KpiCharts from={from} to={to} />
        <ManagersSideBySide day={to} />
        <div class="pair">
          <Outliers day={to} />
          <LiveChanges changes={changes} />
        </div>
        <ComplaintBoard />
      </Deferred>
    </>
  );
}
