export { onShutdown } from './graceful-shutdown.ts';
export { createLogger, type Logger } from './logger.ts';
export { Counter, createMetricsRegistry, Gauge, Histogram, type Registry } from './metrics.ts';
export { createOpsServer, type OpsServerOptions, type ReadyReport, sendMetrics } from './ops-server.ts';
export { type PoolFigures, registerPoolMetrics } from './pool-metrics.ts';
export { serviceNodeArgs, TRACING_PRELOAD_URL } from './tracing/service-command.ts';
export { flushTracing, tracingActive } from './tracing/tracing-state.ts';
export { tracingRequested } from './tracing/tracing-switch.ts';
