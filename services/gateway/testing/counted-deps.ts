import type { EventStore } from '@crh/event-store';
import type { Queryable } from '@crh/read-models/schema';

/** How many queries reached the database, and calls the event store, so far. */
export interface Reached {
  db: number;
  store: number;
  /** Event store calls by method name. */
  storeCalls: string[];
}

/**
 * The read models' database and the event store as the gateway gets them,
 * passing everything through and counting it: tests see how many round
 * trips a request made, or that a refused one made none.
 */
export function countedDeps(
  pool: Queryable,
  store: EventStore,
): { reached: Reached; db: Queryable; store: EventStore } {
  const reached: Reached = { db: 0, store: 0, storeCalls: [] };
  const db: Queryable = {
    query: ((...args: unknown[]) => {
      reached.db += 1;
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    }) as Queryable['query'],
  };
  const countedStore = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reached.store += 1;
        reached.storeCalls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { reached, db, store: countedStore };
}
