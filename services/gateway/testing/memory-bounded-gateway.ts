// The gateway as main.ts runs it, in a child process that tests start with
// `--max-old-space-size`: a query that grows the heap past the bound kills
// this process, not the test runner, and the test sees the gateway die.
// Reports its address, then, when asked, the largest heap it has seen.
import type { AuthSettings } from '@crh/auth';
import { createTokenVerifier } from '@crh/auth';
import { DEFAULT_HEALTH_WEIGHTS, DEFAULT_TIER_POLICY } from '@crh/domain';
import { createPostgresEventStore } from '@crh/event-store/postgres';
import { createNotifySubscriber } from '@crh/messaging/postgres';
import { createLogger } from '@crh/observability';
import { createPgPool } from '@crh/postgres';
import { startGatewayServer } from '../src/gateway-server.ts';
import type { SubscriberLimits } from '../src/live/subscriber-queue.ts';

export interface MemoryBoundedGatewayOptions {
  databaseUrl: string;
  auth: AuthSettings;
  timeZone: string;
  /** Bounds of each subscriber's queue; the gateway's defaults when absent. */
  subscriberLimits?: Partial<SubscriberLimits>;
}

/** What the process answers to the message 'memory'. */
export interface HeapReport {
  /** The largest heapUsed sampled (every 5 ms and at each report) since the last report. */
  peakHeapUsed: number;
  /** After a full collection when the process runs with --expose-gc: what is held, not garbage. */
  heapUsed: number;
  rss: number;
}

const options = JSON.parse(process.env.CRH_TEST_GATEWAY ?? '{}') as MemoryBoundedGatewayOptions;
const logger = createLogger('gateway', 'silent');
const pool = createPgPool(options.databaseUrl, { max: 10 });
const gateway = await startGatewayServer({
  auth: await createTokenVerifier(options.auth),
  store: createPostgresEventStore({ pool }),
  db: pool,
  logger,
  rules: { timeZone: options.timeZone, policy: DEFAULT_TIER_POLICY },
  healthWeights: DEFAULT_HEALTH_WEIGHTS,
  feed: createNotifySubscriber({ connectionString: options.databaseUrl, logger }),
  host: '127.0.0.1',
  port: 0,
  ...(options.subscriberLimits ? { subscriberLimits: options.subscriberLimits } : {}),
});

let peak = 0;
const sample = () => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
};
setInterval(sample, 5).unref();

process.on('message', (message) => {
  if (message === 'memory') {
    sample();
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ peakHeapUsed: peak, heapUsed, rss } satisfies HeapReport);
    peak = heapUsed;
  } else if (message === 'stop') {
    void gateway.close().then(() => pool.end().then(() => process.exit(0)));
  }
});
process.send?.({ url: gateway.url });
