import { type LocalDate, localDateOf } from '@crh/domain';
import type { EventStore, RecordedEvent } from '@crh/event-store';
import type { Logger } from '@crh/observability';
import type { FeedChange, SignalAlert, StatusChange } from '@crh/read-models/projection';
import { type DailyKpis, dailyKpis, managersOn } from '@crh/read-models/queries';
import type { Queryable } from '@crh/read-models/schema';
import {
  type SubscriberFellBehind,
  type SubscriberLimits,
  type SubscriberQueue,
  subscriberQueue,
} from './subscriber-queue.ts';

/** What a subscriber may hold before it is dropped as stalled (CRH_SUBSCRIBER_* defaults). */
export const DEFAULT_SUBSCRIBER_LIMITS: SubscriberLimits = {
  items: 10_000,
  bytes: 4 * 1024 * 1024,
  stallMs: 30_000,
};

/** Closes a subscriber's connection when its queue gives up on it (see subscriber-queue.ts). */
export type Cut = (error: SubscriberFellBehind) => void;

export interface EventFilter {
  customerId: string | null;
  types: readonly string[] | null;
  /** Only events of customers in this manager's book as of today; null: every customer. */
  accountManagerId: string | null;
}

export interface AlertFilter {
  accountManagerId: string | null;
  kinds: readonly SignalAlert['kind'][] | null;
}

/**
 * The gateway's side of the change feed: what the feed delivers is fanned
 * out, in order, to this process's subscriptions. One instance per process;
 * every subscription filters here, so 1,000 dashboards cost one feed
 * consumer and one KPI query per touched scope, not 1,000.
 */
export interface ChangeHub {
  /** Hands the hub what the feed delivered (values of FeedChange). */
  deliver(values: readonly unknown[]): void;
  events(filter: EventFilter, cut?: Cut): AsyncIterableIterator<RecordedEvent>;
  statusChanges(accountManagerId: string | null, cut?: Cut): AsyncIterableIterator<StatusChange>;
  alerts(filter: AlertFilter, cut?: Cut): AsyncIterableIterator<SignalAlert>;
  /** Today's KPIs of the organisation (null) or a manager, each time they change. */
  dailyKpis(accountManagerId: string | null, cut?: Cut): AsyncIterableIterator<DailyKpis>;
  /** Completes every subscription (after what each holds): the gateway is shutting down. */
  close(): void;
  /** Resolves when everything delivered so far has reached the subscribers' queues. */
  settled(): Promise<void>;
  /** Subscriptions open now (a gauge for metrics). */
  subscriptions(): number;
}

export interface ChangeHubDeps {
  store: EventStore;
  db: Queryable;
  timeZone: string;
  logger: Logger;
  now?: () => Date;
  /** Bounds of each subscriber's queue; default DEFAULT_SUBSCRIBER_LIMITS. */
  limits?: Partial<SubscriberLimits>;
  /** Changes delivered and not yet handed to subscribers; default DEFAULT_PENDING_CHANGES. */
  pendingLimit?: number;
}

/** Changes the hub lets wait for their turn before it gives up on every subscription. */
export const DEFAULT_PENDING_CHANGES = 100_000;

const ORGANISATION = '';

export function createChangeHub(deps: ChangeHubDeps): ChangeHub {
  const now = deps.now ?? (() => new Date());
  const limits: SubscriberLimits = { ...DEFAULT_SUBSCRIBER_LIMITS, ...deps.limits };
  // Every queue the hub made and has not seen close: what close() completes.
  const queues = new Set<SubscriberQueue<never>>();
  function tracked<T>(cut: Cut | undefined, onClose: () => void): SubscriberQueue<T> {
    const queue: SubscriberQueue<T> = subscriberQueue<T>(
      limits,
      () => {
        queues.delete(queue as SubscriberQueue<never>);
        onClose();
      },
      cut,
    );
    queues.add(queue as SubscriberQueue<never>);
    return queue;
  }
  type EventSub = { filter: EventFilter; queue: SubscriberQueue<RecordedEvent> };
  // Unscoped event subscriptions, and per manager those scoped to its book:
  // an event visits only its own manager's subscribers.
  const eventSubs = new Set<EventSub>();
  const bookEventSubs = new Map<string, Set<EventSub>>();
  const statusSubs = new Set<{ manager: string | null; queue: SubscriberQueue<StatusChange> }>();
  const alertSubs = new Set<{ filter: AlertFilter; queue: SubscriberQueue<SignalAlert> }>();
  const kpiSubs = new Map<string, Set<SubscriberQueue<DailyKpis>>>();
  const kpiWork = new Map<string, { running: Promise<void>; again: boolean; last: string | null }>();

  // Deliveries are handled one after another: an event sent by reference is
  // read from the store before anything delivered after it is passed on.
  // At most `pendingLimit` changes wait for their turn.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const pendingLimit = deps.pendingLimit ?? DEFAULT_PENDING_CHANGES;

  function open<T, S extends { queue: SubscriberQueue<T> }>(
    set: Set<S>,
    make: (queue: SubscriberQueue<T>) => S,
    cut: Cut | undefined,
  ): SubscriberQueue<T> {
    let entry: S | undefined;
    const queue = tracked<T>(cut, () => {
      if (entry) set.delete(entry);
    });
    entry = make(queue);
    set.add(entry);
    return queue;
  }

  function openBookEvents(
    filter: EventFilter & { accountManagerId: string },
    cut: Cut | undefined,
  ): SubscriberQueue<RecordedEvent> {
    const manager = filter.accountManagerId;
    let subs = bookEventSubs.get(manager);
    if (!subs) {
      subs = new Set();
      bookEventSubs.set(manager, subs);
    }
    const book = subs;
    const entry: EventSub = {
      filter,
      queue: tracked<RecordedEvent>(cut, () => {
        book.delete(entry);
        if (book.size === 0 && bookEventSubs.get(manager) === book) bookEventSubs.delete(manager);
      }),
    };
    book.add(entry);
    return entry.queue;
  }

  const wants = ({ filter }: EventSub, event: RecordedEvent) =>
    (filter.customerId === null || filter.customerId === event.customerId) &&
    (filter.types === null || filter.types.includes(event.type));

  /** `books`: each customer's manager as of today, looked up once for the batch (null: nobody scoped listens). */
  function publishEvent(event: RecordedEvent, books: ReadonlyMap<string, string | null> | null): void {
    // Its size counts against each subscriber's byte bound; measured once, whatever the subscribers.
    let size: number | undefined;
    const push = (queue: SubscriberQueue<RecordedEvent>) => {
      size ??= JSON.stringify(event).length;
      queue.push(event, size);
    };
    for (const sub of eventSubs) if (wants(sub, event)) push(sub.queue);
    const manager = books?.get(event.customerId);
    if (!manager) return;
    for (const sub of bookEventSubs.get(manager) ?? []) if (wants(sub, event)) push(sub.queue);
  }

  /**
   * The manager as of today of every customer whose events are in a
   * delivered batch, in one query for the batch whatever the number of
   * subscribers. Events later in the same batch may move a customer: the
   * read models already hold the whole batch, so its last word counts.
   */
  async function booksOf(values: readonly unknown[]): Promise<Map<string, string | null> | null> {
    if (bookEventSubs.size === 0) return null;
    const customers = new Set<string>();
    for (const value of values) {
      const change = value as FeedChange;
      if (change?.kind === 'event') customers.add(change.event.customerId);
      else if (change?.kind === 'eventRef') customers.add(change.customerId);
    }
    if (customers.size === 0) return null;
    try {
      return await managersOn(deps.db, [...customers], localDateOf(now(), deps.timeZone));
    } catch (error) {
      // Without the books, scoped subscribers get none of the batch: never someone else's.
      deps.logger.error({ err: error }, 'live events: books of a batch not read; scoped subscribers skip it');
      return new Map();
    }
  }

  async function readReferenced(customerId: string, position: string): Promise<RecordedEvent | undefined> {
    const streams = await deps.store.readStreams([customerId]);
    return streams.get(customerId)?.find((e) => e.position === position);
  }

  /** Recomputes today's KPIs of a watched scope; runs at most once at a time per scope, again if asked meanwhile. */
  function refreshKpis(scope: string): void {
    const work = kpiWork.get(scope);
    if (!work) return;
    if (work.running !== DONE) {
      work.again = true;
      return;
    }
    work.running = (async () => {
      do {
        work.again = false;
        const today: LocalDate = localDateOf(now(), deps.timeZone);
        try {
          const [row] = await dailyKpis(deps.db, today, today, scope === ORGANISATION ? null : scope);
          const text = JSON.stringify(row);
          if (row && text !== work.last) {
            work.last = text;
            for (const queue of kpiSubs.get(scope) ?? []) queue.push(row);
          }
        } catch (error) {
          deps.logger.error({ err: error, scope }, 'live KPIs: query failed');
        }
      } while (work.again && kpiWork.get(scope) === work);
      work.running = DONE;
    })();
  }

  async function handle(values: readonly unknown[]): Promise<void> {
    const books = await booksOf(values);
    for (const value of values) {
      try {
        await handleOne(value as FeedChange, books);
      } catch (error) {
        // One change that cannot be delivered (a store read failing) costs
        // only itself, never the rest of the delivery.
        deps.logger.error(
          { err: error, kind: (value as { kind?: unknown })?.kind },
          'change feed: a change was not delivered',
        );
      }
    }
  }

  async function handleOne(
    change: FeedChange,
    books: ReadonlyMap<string, string | null> | null,
  ): Promise<void> {
    switch (change?.kind) {
      case 'event':
        if (eventSubs.size > 0 || books !== null) publishEvent(change.event, books);
        break;
      case 'eventRef':
        // Read from the store only when someone is to receive it.
        if (eventSubs.size > 0 || bookEventSubs.has(books?.get(change.customerId) ?? '')) {
          const event = await readReferenced(change.customerId, change.position);
          if (event) publishEvent(event, books);
          else deps.logger.warn({ position: change.position }, 'live events: referenced event not found');
        }
        break;
      case 'status':
        for (const { manager, queue } of statusSubs)
          if (manager === null || manager === change.change.accountManagerId) queue.push(change.change);
        break;
      case 'alert':
        for (const { filter, queue } of alertSubs) {
          const { accountManagerId, kinds } = filter;
          if (accountManagerId !== null && accountManagerId !== change.alert.accountManagerId) continue;
          if (kinds !== null && !kinds.includes(change.alert.kind)) continue;
          queue.push(change.alert);
        }
        break;
      case 'kpis':
        for (const scope of change.scopes === 'all' ? [...kpiWork.keys()] : change.scopes) refreshKpis(scope);
        break;
      default:
        deps.logger.warn(
          { kind: (change as { kind?: unknown })?.kind },
          'change feed: unknown change skipped',
        );
    }
  }

  return {
    deliver(values) {
      if (pending + values.length > pendingLimit) {
        // The feed outruns the hub (store reads for big events, a slow
        // database): rather than queue without end, every subscription ends
        // with an error now and its client resubscribes and refetches; a
        // delivery skipped for all can never reach some and not others.
        deps.logger.error(
          { pending, delivered: values.length, subscriptions: queues.size },
          'change feed: the gateway fell behind the feed; every subscription ended',
        );
        for (const queue of [...queues]) queue.drop(`the gateway fell ${pending} changes behind the feed`);
        return;
      }
      pending += values.length;
      chain = chain.then(() =>
        handle(values)
          .catch((error) => deps.logger.error({ err: error }, 'change feed: delivery failed'))
          .finally(() => {
            pending -= values.length;
          }),
      );
    },
    events: (filter, cut) =>
      filter.accountManagerId === null
        ? open(eventSubs, (queue) => ({ filter, queue }), cut)
        : openBookEvents({ ...filter, accountManagerId: filter.accountManagerId }, cut),
    statusChanges: (manager, cut) => open(statusSubs, (queue) => ({ manager, queue }), cut),
    alerts: (filter, cut) => open(alertSubs, (queue) => ({ filter, queue }), cut),
    close() {
      for (const queue of [...queues]) queue.complete();
    },
    dailyKpis(manager, cut) {
      const scope = manager ?? ORGANISATION;
      let watchers = kpiSubs.get(scope);
      if (!watchers) {
        watchers = new Set();
        kpiSubs.set(scope, watchers);
        kpiWork.set(scope, { running: DONE, again: false, last: null });
      }
      const queue: SubscriberQueue<DailyKpis> = tracked<DailyKpis>(cut, () => {
        watchers.delete(queue);
        if (watchers.size === 0) {
          kpiSubs.delete(scope);
          kpiWork.delete(scope);
        }
      });
      watchers.add(queue);
      return queue;
    },
    async settled() {
      let seen: Promise<void>;
      do {
        seen = chain;
        await seen;
        await Promise.all([...kpiWork.values()].map((w) => w.running));
      } while (seen !== chain);
    },
    subscriptions: () =>
      eventSubs.size +
      [...bookEventSubs.values()].reduce((n, subs) => n + subs.size, 0) +
      statusSubs.size +
      alertSubs.size +
      [...kpiSubs.values()].reduce((n, watchers) => n + watchers.size, 0),
  };
}

const DONE: Promise<void> = Promise.resolve();
