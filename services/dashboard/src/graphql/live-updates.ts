import { useSubscription } from '@urql/preact';
import { useEffect, useRef } from 'preact/hooks';
import { graphql, type ResultOf } from './graphql.ts';
import { refreshAll } from './live-query.ts';

export const StatusChanged = graphql(`
  subscription StatusChanged($accountManagerId: ID) {
    relationshipStatusChanged(accountManagerId: $accountManagerId) {
      customerId
      accountManagerId
      from
      to
      at
      cause
    }
  }
`);

/** Today's figures as the board shows them, from the query and then from each update. */
export const TodaysKpiFields = graphql(`
  fragment TodaysKpiFields on DailyKpis {
    date
    activeCustomers
    neglected
    goingQuiet
    openComplaints
    nps
    promisesDue
    promisesKeptOnTime
  }
`);

export const KpisUpdated = graphql(
  `
  subscription KpisUpdated($accountManagerId: ID) {
    dailyKpisUpdated(accountManagerId: $accountManagerId) {
      ...TodaysKpiFields
    }
  }
`,
  [TodaysKpiFields],
);

export type StatusChange = ResultOf<typeof StatusChanged>['relationshipStatusChanged'];
export type TodaysKpis = ResultOf<typeof KpisUpdated>['dailyKpisUpdated'];

/** At most one refresh of every list per this many ms, however many changes arrive. */
const REFRESH_EVERY_MS = 1_000;

/**
 * The book's live changes: every status change or KPI update refreshes the
 * page's lists (throttled), and each is handed to whoever shows it.
 */
export function useLiveUpdates(
  accountManagerId: string | null,
  on: { status?: (change: StatusChange) => void; kpis?: (kpis: TodaysKpis) => void } = {},
): void {
  const handlers = useRef(on);
  handlers.current = on;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const schedule = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      refreshAll();
    }, REFRESH_EVERY_MS);
  };
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);
  useSubscription({ query: StatusChanged, variables: { accountManagerId } }, (_previous, data) => {
    handlers.current.status?.(data.relationshipStatusChanged);
    schedule();
    return data;
  });
  useSubscription({ query: KpisUpdated, variables: { accountManagerId } }, (_previous, data) => {
    handlers.current.kpis?.(data.dailyKpisUpdated);
    schedule();
    return data;
  });
}
