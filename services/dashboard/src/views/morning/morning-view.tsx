import { useLocation } from 'preact-iso';
import { useApp } from '../../app-context.ts';
import { useLiveUpdates } from '../../graphql/live-updates.ts';
import { AttentionLists } from './attention-lists.tsx';
import { KpiTiles } from './kpi-tiles.tsx';
import { ManagerPicker } from './manager-picker.tsx';
import { OpenComplaints } from './open-complaints.tsx';
import { PromisesDue } from './promises-due.tsx';
import { TodaysCalls } from './todays-calls.tsx';

/** `/`: an account manager's morning: whom to call today and why, and what is due. */
export function MorningView() {
  const { viewer } = useApp();
  const { query, route } = useLocation();
  // An account manager sees its own book; a lead or admin picks whose morning to look at.
  const manager = viewer.accountManagerId ?? query.manager ?? null;
  useLiveUpdates(manager);
  return (
    <>
      <div class="view-head">
        <h1>{manager ? `Good morning, ${manager}` : 'Whose morning?'}</h1>
        {!viewer.accountManagerId && (
          <ManagerPicker value={manager} onPick={(id) => route(`/?manager=${encodeURIComponent(id)}`)} />
        )}
      </div>
      {manager ? (
        <>
          <KpiTiles manager={manager} />
          <div class="morning">
            <TodaysCalls manager={manager} />
            <div class="stack">
              <AttentionLists manager={manager} />
            </div>
            <PromisesDue manager={manager} />
            <OpenComplaints manager={manager} />
          </div>
        </>
      ) : (
        <p class="state state-empty">Pick an account manager above to see their calls for today.</p>
      )}
    </>
  );
}
