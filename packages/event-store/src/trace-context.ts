import { context, type Link, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { RecordedEvent } from './port.ts';

/**
 * W3C trace context travels beside events, never in them: the envelope is
 * what the id-conflict check compares, and a client's retry (a new trace)
 * must still be a duplicate. The PostgreSQL adapter keeps it in a column of
 * its own; readers get it through `traceContextOf`, not through the event.
 * Without an OpenTelemetry SDK (tracing off) the API is a no-op: no span is
 * active, nothing is stored, nothing is linked.
 */

/** The active span's context as a W3C `traceparent` (and `tracestate`) JSON object, or null. */
export function activeTraceContext(): string | null {
  if (!trace.getActiveSpan()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return null;
  return JSON.stringify(
    carrier.tracestate
      ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
      : { traceparent: carrier.traceparent },
  );
}

// Kept per event object, so RecordedEvent (compared, serialised, shipped on
// the change feed) keeps its shape.
const traceContexts = new WeakMap<RecordedEvent, string>();

/** Adapters: remember the context an event was appended under (when it has one). */
export function rememberTraceContext(event: RecordedEvent, stored: string | null | undefined): RecordedEvent {
  if (stored) traceContexts.set(event, stored);
  return event;
}

/** The trace context the event was appended under, as the store read it; undefined when none. */
export function traceContextOf(event: RecordedEvent): string | undefined {
  return traceContexts.get(event);
}

/**
 * Span links to the traces that appended these events (one per distinct span,
 * at most `max`): a batch of many events from many requests is linked to
 * them, not parented by one.
 */
export function traceLinksOf(events: Iterable<RecordedEvent>, max = 128): Link[] {
  const links = new Map<string, Link>();
  for (const event of events) {
    if (links.size >= max) break;
    const stored = traceContexts.get(event);
    if (!stored) continue;
    let carrier: unknown;
    try {
      carrier = JSON.parse(stored);
    } catch {
      continue; // not ours to fail a batch over
    }
    if (typeof carrier !== 'object' || carrier === null) continue;
    const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    if (!spanContext || !trace.isSpanContextValid(spanContext)) continue;
    links.set(`${spanContext.traceId}-${spanContext.spanId}`, {
      context: spanContext,
      attributes: { 'crh.event.position': event.position },
    });
  }
  return [...links.values()];
}
