import { formatTime } from '../../day.ts';
import type { StatusChange } from '../../graphql/live-updates.ts';
import { StatusBadge } from '../health-badge.tsx';

/** Status changes as they arrive over the subscription, newest first. */
export function LiveChanges({ changes }: { changes: StatusChange[] }) {
  return (
    <section class="card" aria-labelledby="live-head">
      <h2 id="live-head">Just changed</h2>
      {changes.length === 0 && (
        <p class="state state-empty">Waiting for changes: they appear here as they happen.</p>
      )}
      <ul class="plain-list" aria-live="polite">
        {changes.map((c) => (
          <li key={`${c.customerId}/${c.at}`}>
            <a href={`/relationships/${encodeURIComponent(c.customerId)}`}>{c.customerId}</a>{' '}
            {c.from ? <StatusBadge status={c.from} /> : 'new'} → <StatusBadge status={c.to} />{' '}
            <span class="manager">{c.accountManagerId}</span> <time dateTime={c.at}>{formatTime(c.at)}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}
