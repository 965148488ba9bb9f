import { Gauge, type Registry } from 'prom-client';

/** What a pg Pool tells about itself (structural: this package does not depend on pg). */
export interface PoolFigures {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { readonly max?: number | undefined };
}

/**
 * The service pool's use, read on each scrape: connections in use and idle,
 * queries waiting for one (a pool too small, or a database too slow), and
 * its size (PG_POOL_MAX), so a panel shows use against the limit.
 */
export function registerPoolMetrics(registry: Registry, pool: PoolFigures): void {
  new Gauge({
    name: 'crh_pg_pool_connections',
    help: 'PostgreSQL connections of the service pool, by state: active (lent out) or idle',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'active' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
    },
  });
  new Gauge({
    name: 'crh_pg_pool_waiting_requests',
    help: 'Queries waiting for a connection of the service pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
  new Gauge({
    name: 'crh_pg_pool_max_connections',
    help: 'Most connections the service pool opens (PG_POOL_MAX)',
    registers: [registry],
    collect() {
      this.set(pool.options.max ?? 10);
    },
  });
}
