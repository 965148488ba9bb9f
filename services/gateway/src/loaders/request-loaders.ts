import type { ComplaintSla, LocalDate } from '@crh/domain';
import type { EventStore, NewestFirstPage, RecordedEvent } from '@crh/event-store';
import {
  type ComplaintCursor,
  type ComplaintRowOut,
  complaintsOfCustomers,
  type NpsAnswerRow,
  npsAnswersOfCustomers,
  type PromiseCursor,
  type PromiseRowOut,
  promisesOfCustomers,
  type StatusStretch,
  statusStretchesOfCustomers,
} from '@crh/read-models/queries';
import type { Queryable } from '@crh/read-models/schema';
import DataLoader from 'dataloader';
import { type PerCustomerKey, perCustomerLoader } from './per-customer-loader.ts';

export interface ComplaintPageArgs {
  open: boolean | undefined;
  overdue: boolean | undefined;
  after: ComplaintCursor | null;
  limit: number;
}

export interface PromisePageArgs {
  statuses: readonly string[] | undefined;
  dueBefore: string | undefined;
  after: PromiseCursor | null;
  limit: number;
}

export interface HistoryArgs {
  from: LocalDate | null;
  to: LocalDate | null;
}

/** Per request: what the items of a list ask for, one round trip per list (see per-customer-loader.ts). */
export interface RequestLoaders {
  /** Timeline pages: one event store read for every page of the request. */
  timeline: DataLoader<NewestFirstPage, RecordedEvent[], string>;
  complaints: DataLoader<PerCustomerKey<ComplaintPageArgs>, ComplaintRowOut[], string>;
  promises: DataLoader<PerCustomerKey<PromisePageArgs>, PromiseRowOut[], string>;
  statusHistory: DataLoader<PerCustomerKey<HistoryArgs>, StatusStretch[], string>;
  npsAnswers: DataLoader<PerCustomerKey<HistoryArgs>, NpsAnswerRow[], string>;
}

export function createRequestLoaders(deps: {
  store: EventStore;
  db: Queryable;
  now: () => Date;
  complaintSla: ComplaintSla;
}): RequestLoaders {
  const { store, db, now, complaintSla } = deps;
  return {
    timeline: new DataLoader((pages) => store.readNewestFirst(pages), {
      cacheKeyFn: (page) => JSON.stringify([page.customerId, page.after ?? null, page.limit]),
    }),
    complaints: perCustomerLoader((customerIds, { after, limit, ...filter }: ComplaintPageArgs) =>
      complaintsOfCustomers(db, customerIds, { ...filter, now: now(), sla: complaintSla }, { after, limit }),
    ),
    promises: perCustomerLoader((customerIds, { after, limit, statuses, dueBefore }: PromisePageArgs) =>
      promisesOfCustomers(
        db,
        customerIds,
        { statuses, dueBefore: dueBefore === undefined ? undefined : new Date(dueBefore), now: now() },
        { after, limit },
      ),
    ),
    npsAnswers: perCustomerLoader((customerIds, { from, to }: HistoryArgs) =>
      npsAnswersOfCustomers(db, customerIds, from, to),
    ),
    statusHistory: perCustomerLoader((customerIds, { from, to }: HistoryArgs) =>
      statusStretchesOfCustomers(db, customerIds, from, to),
    ),
  };
}
