import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { openTestAuth } from '@crh/auth/testing';
import { TRACING_PRELOAD_URL } from '@crh/observability';
import { createTestDatabase, runKafkaBrokers } from '@crh/testing';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Subscriber, subscribeSse } from '../support/graphql-subscribers.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.ts';
import {
  type Platform,
  postEvents,
  startPlatform,
  startService,
  waitFor,
} from '../support/service-process.ts';

const SERVER = 2;
const CONSUMER = 5;

// Ingest, projector and gateway as processes with tracing on, exporting to a
// real OTLP/HTTP endpoint (JSON encoding) in this test: one event posted is
// followed from the request through the log and the projector to the
// gateway's push, over each change feed.
describe.each([
  { feed: 'postgres', env: (): Record<string, string> => ({ CHANGE_FEED: 'postgres' }) },
  {
    feed: 'kafka',
    env: (): Record<string, string> => ({
      CHANGE_FEED: 'kafka',
      KAFKA_BROKERS: runKafkaBrokers().join(','),
      CHANGE_FEED_TOPIC: `crh.changes.test-${randomUUID().slice(0, 8)}`,
    }),
  },
])('traces over OTLP with CHANGE_FEED=$feed', ({ env }) => {
  let receiver: OtlpReceiver;
  let platform: Platform;
  let drop: () => Promise<void>;
  const open: Subscriber<unknown>[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const database = await createTestDatabase();
    drop = database.drop;
    platform = await startPlatform(database.url, {
      env: {
        ...env(),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Export within a fifth of a second instead of five.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
  });

  afterAll(async () => {
    for (const s of open) s.close();
    const codes = await platform?.stop();
    await drop?.();
    await receiver?.close();
    expect(codes).toEqual([0, 0, 0]);
  });

  const spans = (match: (span: ReceivedSpan) => boolean) => receiver.spans().filter(match);
  const one = (what: string, match: (span: ReceivedSpan) => boolean) =>
    waitFor(async () => spans(match)[0], { what, timeoutMs: 30_000 });

  it('links the ingest request to the projector batch and the batch to the gateway push', async () => {
    type EventData = { eventRecorded: { id: string } };
    const lead = await platform.auth.bearer('lead');
    const sse = await subscribeSse<EventData>(
      platform.graphql[0]!,
      lead,
      'subscription { eventRecorded { id } }',
    );
    open.push(sse as Subscriber<unknown>);

    const event = {
      id: randomUUID(),
      type: 'CustomerOnboarded',
      customerId: `traced-${randomUUID().slice(0, 8)}`,
      occurredAt: new Date().toISOString(),
      data: { name: 'Traced Ltd', accountManagerId: 'am-t' },
    };
    const ingestToken = await platform.auth.bearer('ingest');
    const posted = await postEvents(platform.ingest, ingestToken, [event]);
    expect(posted.status).toBe(200);
    await sse.next((d) => d.eventRecorded.id === event.id, 30_000);

    // Ingest: the request's server span, and the append's query inside its trace.
    const request = await one(
      'the ingest request span',
      (s) => s.service === 'crh-ingest' && s.kind === SERVER,
    );
    expect(request.name).toBe('POST /v1/events');
    const append = await one(
      'the append query span',
      (s) =>
        s.traceId === request.traceId &&
        s.scope.includes('instrumentation-pg') &&
        String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '').includes(
          'append_events_traced',
        ),
    );
    expect(append.service).toBe('crh-ingest');
    // Under the request: its parent chain within the trace leads to the server span.
    const inTrace = new Map(spans((s) => s.traceId === request.traceId).map((s) => [s.spanId, s]));
    let parent = append.parentSpanId;
    while (parent && parent !== request.spanId) parent = inTrace.get(parent)?.parentSpanId;
    expect(parent).toBe(request.spanId);

    // Projector: a batch span of its own trace, linked to the ingest request's trace.
    const batch = await one(
      'the projector batch span linked to the request',
      (s) => s.name === 'projector.batch' && s.links.some((l) => l.traceId === request.traceId),
    );
    expect(batch.service).toBe('crh-projector');
    expect(batch.kind).toBe(CONSUMER);
    expect(batch.traceId).not.toBe(request.traceId);
    expect(batch.attributes['crh.batch.events']).toBeGreaterThanOrEqual(1);
    // Its own queries are its children.
    await one('a projector query under the batch', (s) => s.parentSpanId === batch.spanId);

    // Gateway: the push of the change, linked to the batch's trace.
    const push = await one(
      'the gateway push span linked to the batch',
      (s) => s.name === 'gateway.push' && s.links.some((l) => l.traceId === batch.traceId),
    );
    expect(push.service).toBe('crh-gateway');

    // Gateway queries: a server span, with the reads inside it.
    const answer = await fetch(platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: lead },
      body: JSON.stringify({ query: '{ relationships(first: 1) { totalCount } }' }),
    });
    expect(answer.status).toBe(200);
    const query = await one(
      'the gateway request span',
      (s) => s.service === 'crh-gateway' && s.kind === SERVER,
    );
    await one(
      'a read in the request',
      (s) => s.traceId === query.traceId && s.scope.includes('instrumentation-pg'),
    );

    // Probes are not traced.
    expect(spans((s) => s.kind === SERVER && /healthz|readyz/.test(s.name))).toEqual([]);

    // The trace context is beside the event, not in it: the same event sent
    // again (a new request, a new trace) is still a duplicate.
    const again = await postEvents(platform.ingest, ingestToken, [event]);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { results: { status: string }[] }).results[0]?.status).toBe('duplicate');
  });
});

// Spans still buffered when SIGTERM comes are exported by the graceful
// shutdown (the batch processor would wait a minute here).
describe('tracing at shutdown', () => {
  it('exports the spans still buffered before the process exits', async () => {
    const receiver = await startOtlpReceiver();
    const database = await createTestDatabase();
    const auth = await openTestAuth();
    const port = await getPort();
    const ingest = startService('ingest', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      INGEST_PORT: String(port),
      CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), { what: 'ingest' });
      const event = {
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId: `flushed-${randomUUID().slice(0, 8)}`,
        occurredAt: new Date().toISOString(),
        data: { name: 'Flushed Ltd', accountManagerId: 'am-f' },
      };
      expect((await postEvents(base, await auth.bearer('ingest'), [event])).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.spans()).toEqual([]); // still buffered
      expect(await ingest.stop()).toBe(0);
      expect(receiver.spans().some((s) => s.kind === SERVER && s.name === 'POST /v1/events')).toBe(true);
    } finally {
      await ingest.stop();
      await database.drop();
      await receiver.close();
    }
  });
});

/** Runs a script after the tracing preload; answers which OpenTelemetry modules were loaded. */
function loadedAfterPreload(env: Record<string, string>): Promise<string[]> {
  // A loader hook registered before the preload records every module loaded after it.
  const recorder = `data:text/javascript,${encodeURIComponent(
    "import { registerHooks } from 'node:module'; globalThis.loaded = []; registerHooks({ load(url, context, next) { globalThis.loaded.push(url); return next(url, context); } });",
  )}`;
  const script =
    "console.log(JSON.stringify(globalThis.loaded.filter((u) => u.includes('/@opentelemetry/'))))";
  const child = spawn(
    process.execPath,
    ['--import', recorder, '--import', TRACING_PRELOAD_URL, '--input-type=module', '-e', script],
    { env: { PATH: process.env.PATH, CRH_ENV_FILE: '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exit ${code}: ${out}`)),
    ),
  );
}

describe('tracing off (the default)', () => {
  it('loads no OpenTelemetry SDK without an OTLP endpoint, nor with OTEL_SDK_DISABLED=true', async () => {
    expect(await loadedAfterPreload({})).toEqual([]);
    expect(
      await loadedAfterPreload({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_SDK_DISABLED: 'true',
      }),
    ).toEqual([]);
    // The same probe sees the SDK when tracing is on (nothing listens on port 9: nothing is sent).
    const on = await loadedAfterPreload({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(on.some((url) => url.includes('/@opentelemetry/sdk-node/'))).toBe(true);
  });
});
