import { useLocation } from 'preact-iso';
import { useApp } from '../../app-context.ts';
import { Deferred } from '../../components/deferred.tsx';
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
          {/* The lists first (components/deferred.tsx); the figures fill their reserved space after. */}
          <Deferred minHeight={190}>
            <KpiTiles manager={manager} />
          </Deferred>
          <div class="morning">
            <TodaysCalls manager={manager} />
            <div class="stack">
              <AttentionLists manager={manager} />
            </div>
            <Deferred>
              <PromisesDue manager={manager} />
            </Deferred>
            <Deferred>
              <OpenComplaints manager={manager} />
            </Deferred>
          </div>
        </>
      ) : (
        <p class="state state-empty">Pick an account manager above to see their calls for today.</p>
      )}
    </>
  );
}
