import { type Link, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('@crh/gateway');

/**
 * Runs the hand-over of a delivered group of changes to this gateway's
 * subscriptions in a `gateway.push` span linked to the projector batches
 * that published them (their traceparents came with the feed). A no-op
 * span when tracing is off.
 */
export function inPushSpan(changes: number, traceparents: readonly string[], push: () => void): void {
  const links: Link[] = [];
  for (const traceparent of traceparents) {
    const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
    if (linked && trace.isSpanContextValid(linked)) links.push({ context: linked });
  }
  tracer.startActiveSpan(
    'gateway.push',
    { root: true, kind: SpanKind.CONSUMER, links, attributes: { 'crh.feed.changes': changes } },
    (span) => {
      try {
        push();
      } finally {
        span.end();
      }
    },
  );
}
