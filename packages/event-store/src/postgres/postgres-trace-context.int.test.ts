import { createPgPool } from '@crh/postgres';
import { createTestDatabase } from '@crh/testing';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvent, uniqueCustomer } from '../../testing/contract-fixtures.ts';
import type { RecordedEvent } from '../port.ts';
import { traceContextOf, traceLinksOf } from '../trace-context.ts';
import { createPostgresEventStore, type PostgresEventStore } from './postgres-event-store.ts';

// A real OpenTelemetry SDK in this test process (what the preload starts in
// a service), and a real database.
describe('postgres: trace context beside the events', () => {
  const provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
  });
  const tracer = provider.getTracer('test');
  let store: PostgresEventStore;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    const database = await createTestDatabase();
    const pool = createPgPool(database.url, { max: 4, applicationName: 'crh-event-store-test' });
    store = createPostgresEventStore({ pool, pollIntervalMs: 50 });
    await store.migrate();
    cleanup = async () => {
      await pool.end();
      await database.drop();
    };
  });

  afterAll(async () => {
    await cleanup?.();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  // The log is read gap-free: a committed event becomes readable once every
  // older transaction on the server (other tests' too) has finished.
  const readLog = async (ids: string[]) => {
    for (let tries = 0; ; tries++) {
      const read = await store.readAll({ limit: 10_000 });
      const found = ids.map((id) => read.find((e) => e.id === id));
      if (found.every((e) => e !== undefined) || tries > 100) return found.map((e) => e!);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const inSpan = <T>(work: () => Promise<T>) =>
    tracer.startActiveSpan('request', async (span) => {
      try {
        return { result: await work(), spanContext: span.spanContext() };
      } finally {
        span.end();
      }
    });

  it('keeps the appending span with each event, out of the envelope, and links a batch to it', async () => {
    const customer = uniqueCustomer('traced');
    const [traced, untraced] = [newEvent(customer), newEvent(customer)];
    const { spanContext } = await inSpan(() => store.append([traced]));
    await store.append([untraced]);

    const [first, second] = (await readLog([traced.id, untraced.id])) as [RecordedEvent, RecordedEvent];
    expect(JSON.parse(traceContextOf(first)!)).toEqual({
      traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-01`,
    });
    expect(traceContextOf(second)).toBeUndefined();
    // The envelope is as it was sent: no trace in it.
    expect(Object.keys(first).sort()).toEqual(Object.keys(second).sort());
    expect(first.metadata).toEqual(traced.metadata ?? null);

    const links = traceLinksOf([first, second]);
    expect(links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [spanContext.traceId, spanContext.spanId],
    ]);
  });

  it('answers a re-send under another trace as a duplicate, keeping the first trace', async () => {
    const event = newEvent(uniqueCustomer('retried'));
    const { spanContext: original } = await inSpan(() => store.append([event]));
    const { result: retry } = await inSpan(() => store.append([event]));
    expect(retry.map((o) => o.status)).toEqual(['duplicate']);
    const [stored] = (await readLog([event.id])) as [RecordedEvent];
    expect(traceContextOf(stored)).toContain(original.traceId);
  });
});
