import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.ts';
import { registerPoolMetrics } from './pool-metrics.ts';

describe('pool metrics', () => {
  it("reads the pool's figures on each scrape: active, idle, waiting and the size", async () => {
    const registry = createMetricsRegistry('pool-test');
    const pool = { totalCount: 7, idleCount: 2, waitingCount: 3, options: { max: 8 } };
    registerPoolMetrics(registry, pool);
    const text = await registry.metrics();
    expect(text).toContain('crh_pg_pool_connections{state="active",service="pool-test"} 5');
    expect(text).toContain('crh_pg_pool_connections{state="idle",service="pool-test"} 2');
    expect(text).toContain('crh_pg_pool_waiting_requests{service="pool-test"} 3');
    expect(text).toContain('crh_pg_pool_max_connections{service="pool-test"} 8');
    pool.idleCount = 7;
    pool.waitingCount = 0;
    const later = await registry.metrics();
    expect(later).toContain('crh_pg_pool_connections{state="active",service="pool-test"} 0');
    expect(later).toContain('crh_pg_pool_waiting_requests{service="pool-test"} 0');
  });
});
