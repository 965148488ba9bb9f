import { context, propagation, trace } from '@opentelemetry/api';

/**
 * The active span (the projector's batch) as a W3C `traceparent`, sent beside
 * the changes so the gateway can link its push to it; undefined without a
 * span (tracing off: the OpenTelemetry API is a no-op then).
 */
export function activeTraceparent(): string | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
