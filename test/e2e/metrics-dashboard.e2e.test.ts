import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, runKafkaBrokers } from '@crh/testing';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardExpressions, promqlLabelNames, promqlMetricNames } from '../support/promql-metric-names.ts';
import {
  type Platform,
  postEvents,
  type ServiceProcess,
  startPlatform,
  startService,
  waitFor,
} from '../support/service-process.ts';

// What the compose stack's Prometheus and Grafana do, against the real
// processes: a `monitoring` token (the one the stack gives Prometheus) reads
// /metrics of each of the four services and nothing else, and every metric
// the provisioned dashboard queries is one the services really export.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dashboard = JSON.parse(
  readFileSync(join(root, 'infra/grafana/dashboards/crh.json'), 'utf8'),
) as unknown;
/** Series Prometheus makes itself for every target, not exported by a service. */
const PROMETHEUS_OWN = new Set(['up']);
/** Labels Prometheus gives every series of a target (infra/prometheus/prometheus.yml). */
const TARGET_LABELS = new Set(['job', 'instance', 'service']);

/** Each sample name of a Prometheus text exposition (not just HELP/TYPE: a sample each), with its label names. */
function samples(text: string, into: Map<string, Set<string>>): void {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [, name, labels] = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?/.exec(line)!;
    const names = into.get(name!) ?? new Set<string>();
    for (const [, label] of (labels ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g))
      names.add(label!);
    into.set(name!, names);
  }
}

describe('the metrics dashboard against the running services', () => {
  let platform: Platform;
  let relay: ServiceProcess;
  let drop: () => Promise<void>;
  let monitoring: string;
  /** /metrics of each service by its compose name. */
  const metricsUrls: Record<string, string> = {};

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    platform = await startPlatform(database.url);
    const relayPort = await getPort();
    relay = startService('relay', {
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      CRH_DATA_DIR: dirname(platform.auth.settings.localKeyDir),
      KAFKA_BROKERS: runKafkaBrokers().join(','),
      RELAY_TOPIC: `crh.events.test-${randomUUID().slice(0, 8)}`,
      RELAY_PARTITIONS: '3',
      RELAY_PORT: String(relayPort),
    });
    metricsUrls.ingest = `${platform.ingest}/metrics`;
    metricsUrls.projector = `${platform.projector}/metrics`;
    metricsUrls.gateway = platform.graphql[0]!.replace(/\/graphql$/, '/metrics');
    metricsUrls.relay = `http://127.0.0.1:${relayPort}/metrics`;
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${relayPort}/readyz`)).ok ? true : undefined), {
      what: 'relay',
      timeoutMs: 60_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${relay.output().slice(-2000)}`);
    });
    // The monitoring token, as `crh token --role monitoring` mints it for the stack's Prometheus.
    monitoring = await platform.auth.bearer('monitoring', { sub: 'prometheus' });
  });

  afterAll(async () => {
    const codes = await Promise.all([relay?.stop(), platform?.stop()]);
    await drop?.();
    expect(codes.flat()).toEqual([0, 0, 0, 0]);
  });

  const graphql = (authorization: string, query: string) =>
    fetch(platform.graphql[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query }),
    });
  const scrape = async (service: string) => {
    const response = await fetch(metricsUrls[service]!, { headers: { authorization: monitoring } });
    expect(response.status, service).toBe(200);
    expect(response.headers.get('content-type'), service).toMatch(/^text\/plain/);
    return response.text();
  };

  it('lets a monitoring token read /metrics of every service, each labelled with its service', async () => {
    for (const service of ['ingest', 'projector', 'gateway', 'relay']) {
      const text = await scrape(service);
      expect(text, service).toMatch(
        new RegExp(`^crh_process_resident_memory_bytes\\{service="${service}"\\} \\d+`, 'm'),
      );
    }
  });

  it('refuses a monitoring token every GraphQL query and POST /v1/events', async () => {
    const query = await graphql(monitoring, '{ relationships { totalCount } }');
    expect(query.status).toBe(200);
    const body = (await query.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(body.data ?? null).toEqual(null);
    const append = await postEvents(platform.ingest, monitoring, [
      {
        id: randomUUID(),
        type: 'ContactLogged',
        customerId: 'metrics-c-0',
        occurredAt: '2026-03-01T10:00:00Z',
        data: { channel: 'call', direction: 'outbound' },
      },
    ]);
    expect(append.status).toBe(403);
    // And the replay API, which only analysts read.
    const replay = await fetch(`${platform.ingest}/v1/events`, { headers: { authorization: monitoring } });
    expect(replay.status).toBe(403);
  });

  it('exports every metric the Grafana dashboard queries', async () => {
    // Traffic, so that the labelled series (per route, per operation, per topic) have samples.
    const ingest = await platform.auth.bearer('ingest');
    const lead = await platform.auth.bearer('lead');
    const customerId = `metrics-${randomUUID().slice(0, 8)}`;
    const posted = await postEvents(platform.ingest, ingest, [
      {
        id: randomUUID(),
        type: 'CustomerOnboarded',
        customerId,
        occurredAt: '2026-03-01T09:00:00Z',
        data: { name: customerId, tier: 'key', accountManagerId: 'am-1' },
      },
    ]);
    expect(posted.status).toBe(200);
    expect((await graphql(lead, 'query Relationships { relationships { totalCount } }')).status).toBe(200);
    // An operation that fails (the range is backwards): graphql_envelop_error_result.
    await graphql(lead, 'query Broken { dailyKpis(from: "2026-04-02", to: "2026-04-01") { date } }');
    await waitFor(
      async () => ((await scrape('relay')).match(/^crh_relayed_events_total\{/m) ? true : undefined),
      {
        what: 'the relay to send the event',
        timeoutMs: 60_000,
      },
    );

    const exported = new Map<string, Set<string>>();
    for (const service of Object.keys(metricsUrls)) samples(await scrape(service), exported);
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(15);
    const queried = [...new Set(expressions.flatMap(promqlMetricNames))].sort();
    // The panels the operator reads first are there.
    for (const name of [
      'crh_projection_lag_events',
      'crh_projection_lag_seconds',
      'crh_parked_events',
      'crh_blocked_customers',
      'crh_relay_lag_events',
      'crh_http_request_duration_seconds_bucket',
      'graphql_envelop_request',
      'crh_gateway_subscriptions',
      'crh_pg_pool_connections',
      'up',
    ]) {
      expect(queried).toContain(name);
    }
    const missing = queried.filter((name) => !PROMETHEUS_OWN.has(name) && !exported.has(name));
    expect(missing, `exported: ${[...exported.keys()].sort().join(' ')}`).toEqual([]);

    // And every label an expression matches on or groups by is one of its metrics' (or Prometheus's).
    const unknownLabels = expressions.flatMap((expr) => {
      const labels = new Set(promqlMetricNames(expr).flatMap((name) => [...(exported.get(name) ?? [])]));
      return promqlLabelNames(expr)
        .filter((label) => !labels.has(label) && !TARGET_LABELS.has(label))
        .map((label) => `${label} in ${expr}`);
    });
    expect(unknownLabels).toEqual([]);
  });
});
