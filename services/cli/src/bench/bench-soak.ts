import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { recreateDatabase } from '@crh/embedded-postgres';
import { createPgPool } from '@crh/postgres';
import { repoRoot } from '../platform/data-dir.ts';
import { withServices } from '../platform/service-processes.ts';
import { generateBook } from './book-generator.ts';
import { type Latency, latencyOf } from './latency.ts';
import { rssMiB, slopePerHour } from './process-memory.ts';
import { openSseStream } from './sse-stream.ts';

export interface SoakOptions {
  minutes: number;
  /** Events posted per second, in five batches a second. */
  eventsPerSecond: number;
  subscribers: number;
  /** Real milliseconds per day of the projector's clock. */
  dayEveryMs: number;
  log: (line: string) => void;
}

export interface SoakSample {
  minute: number;
  /** The projector's turned day (its shifted clock's today, once turned). */
  turnedDay: string | null;
  rssMiB: Record<string, number | null>;
  /** V8 heap in use (crh_nodejs_heap_size_used_bytes of /metrics), to tell a leak from the allocator's growth. */
  heapMiB: Record<string, number | null>;
  lagEvents: number | null;
}

export interface SoakFigures {
  minutes: number;
  eventsPosted: number;
  postErrors: number;
  queries: Latency;
  queryErrors: number;
  /** Each distinct error message the queries met, with its count. */
  queryErrorKinds: Record<string, number>;
  subscribers: number;
  /** Messages the subscribers received, by subscription. */
  messages: Record<string, number>;
  /** Subscriptions that ended before the soak did: must be 0. */
  subscriptionsLost: number;
  /** Days the projector turned during the soak (its checkpoint's turned day, first sample to last). */
  daysTurned: number;
  /** Distinct days status changes were announced for. */
  statusDays: number;
  samples: SoakSample[];
  /** Per process: RSS after warm-up, at the end, the peak, and the slope after warm-up. */
  memory: Record<
    string,
    {
      warmMiB: number;
      endMiB: number;
      peakMiB: number;
      slopeMiBPerHour: number;
      /** The slope of the V8 heap in use, where /metrics gave it. */
      heapSlopeMiBPerHour: number | null;
    }
  >;
  /** Seconds the projector took to catch up once the load stopped. */
  drainSeconds: number;
}

const SUBSCRIPTIONS = {
  events: 'subscription { eventRecorded(types: ["ContactLogged"]) { id customerId } }',
  statuses: 'subscription { relationshipStatusChanged { customerId from to day } }',
  kpis: 'subscription { dailyKpisUpdated { date activeCustomers goingQuiet neglected } }',
} as const;
type SubscriptionKind = keyof typeof SUBSCRIPTIONS;

/**
 * A long run under steady load, for memory that grows (leaks, queues,
 * caches without bounds): ingest, projector and gateway as processes over a
 * book of 1,000 customers; events posted at a steady rate; queries of every
 * kind in a loop; `subscribers` SSE subscriptions (events, status changes,
 * KPIs) open throughout; and a day turn every `dayEveryMs` by the
 * projector's shifted clock (shifted-clock.ts). Every 30 s the RSS of each
 * process and the projection lag are sampled; the slope of RSS after the
 * first fifth (warm-up) is the figure: flat is near 0 MiB/hour.
 */
export async function benchSoak(adminUrl: string, options: SoakOptions): Promise<SoakFigures> {
  const url = await recreateDatabase(adminUrl, 'crh_bench_soak');
  const clock = join(repoRoot, 'services', 'cli', 'src', 'bench', 'shifted-clock.ts');
  return withServices(
    url,
    { DAY_TURN_CHECK_MS: '2000' },
    async ({ ingest, graphql, auth, pids, projector }) => {
      const onDone: (() => Promise<void>)[] = [];
      const writer = await auth.bearer(['ingest'], { sub: 'soak-writer', ttl: '24h' });
      const lead = await auth.bearer(['lead'], { sub: 'soak-reader', ttl: '24h' });
      // The projector's clock runs days ahead: a day's token would expire for it.
      const monitor = await auth.bearer(['monitoring'], { sub: 'soak-monitor', ttl: '400d' });
      let posted = 0;
      let postErrors = 0;
      const post = async (events: object[]) => {
        const response = await fetch(`${ingest}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: writer },
          body: JSON.stringify({ events }),
        });
        await response.arrayBuffer();
        if (response.ok) posted += events.length;
        else postErrors++;
      };
      const today = new Date().toISOString().slice(0, 10);
      const book = generateBook({
        customers: 1_000,
        managers: 20,
        eventsPerCustomer: 12,
        endDate: today,
        days: 90,
        seed: 11,
      });
      options.log(`soak: seeding ${book.length} events of 1,000 customers ...`);
      for (let i = 0; i < book.length; i += 500) await post(book.slice(i, i + 500));
      const customers = [...new Set(book.map((e) => e.customerId))];
      const pool = createPgPool(url, { max: 1, applicationName: 'crh-bench-soak' });
      onDone.push(() => pool.end());

      options.log(`soak: opening ${options.subscribers} SSE subscriptions ...`);
      const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
      const messages: Record<SubscriptionKind, number> = { events: 0, statuses: 0, kpis: 0 };
      const days = new Set<string>();
      let lost = 0;
      let closing = false;
      const kinds = Object.keys(SUBSCRIPTIONS) as SubscriptionKind[];
      const streams = await Promise.all(
        Array.from({ length: options.subscribers }, async (_, i) => {
          const kind = kinds[i % kinds.length]!;
          const token = await auth.bearer(['lead'], { sub: `soak-subscriber-${i}`, ttl: '24h' });
          return openSseStream(graphql, agent, token, SUBSCRIPTIONS[kind], {
            data: (data) => {
              messages[kind]++;
              // The day a status change is announced for: a new one with each day turn.
              const day = /"day":"(\d{4}-\d{2}-\d{2})"/.exec(data)?.[1];
              if (day) days.add(day);
            },
            ended: () => {
              if (!closing) lost++;
            },
          });
        }),
      );

      const queries = [
        `{ relationships(first: 50, status: [GOING_QUIET, NEGLECTED]) { edges { node { customerId status daysSinceContact } } } }`,
        `query ($d: Date!) { neglectedRelationships(date: $d) { customerId daysSinceContact } }`,
        `query ($d: Date!) { dailyKpis(from: $d, to: $d) { date activeCustomers goingQuiet neglected } }`,
        `{ todaysCalls(accountManagerId: "am-3") { relationship { customerId } reasons explanation } }`,
        `{ complaints(first: 20) { edges { node { complaintId status } } } }`,
      ];
      const queryTimes: number[] = [];
      let queryErrors = 0;
      const errorKinds = new Map<string, number>();
      const samples: SoakSample[] = [];
      const started = performance.now();
      const minuteNow = () => (performance.now() - started) / 60_000;
      const end = started + options.minutes * 60_000;
      const projectorReady = `${projector}/readyz`;

      const sample = async () => {
        const lag = await projectorLag(projectorReady);
        const heap = async (url: string) => {
          try {
            const response = await fetch(url, { headers: { authorization: monitor } });
            const text = await response.text();
            const bytes = /^crh_nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
            return bytes === undefined ? null : Math.round(Number(bytes) / 2 ** 20);
          } catch {
            return null;
          }
        };
        const turned = await pool
          .query<{ day: string }>(`select turned_day::text as day from crh.projection_checkpoints`)
          .then((r) => r.rows[0]?.day ?? null)
          .catch(() => null);
        samples.push({
          minute: Math.round(minuteNow() * 10) / 10,
          turnedDay: turned,
          rssMiB: {
            ingest: rssMiB(pids.ingest),
            projector: rssMiB(pids.projector),
            gateway: rssMiB(pids.gateway),
            bench: Math.round(process.memoryUsage.rss() / 2 ** 20),
          },
          heapMiB: {
            ingest: await heap(`${ingest}/metrics`),
            projector: await heap(`${projector}/metrics`),
            gateway: await heap(graphql.replace(/\/graphql$/, '/metrics')),
          },
          lagEvents: lag,
        });
        const last = samples.at(-1)!;
        options.log(
          `soak ${last.minute.toFixed(1)} min: RSS ingest ${last.rssMiB.ingest} / projector ${last.rssMiB.projector} / gateway ${last.rssMiB.gateway} MiB (heap ${last.heapMiB.ingest} / ${last.heapMiB.projector} / ${last.heapMiB.gateway}), lag ${lag ?? '?'} events, ${posted} posted, ${queryTimes.length} queries, messages ${JSON.stringify(messages)}, turned day ${turned}`,
        );
      };
      await sample();
      const sampler = setInterval(() => void sample(), 30_000);

      const ingestLoop = (async () => {
        const perBatch = Math.max(1, Math.round(options.eventsPerSecond / 5));
        for (let tick = 0; performance.now() < end; tick++) {
          const wait = started + tick * 200 - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const events = Array.from({ length: perBatch }, (_, i) => ({
            id: randomUUID(),
            type: 'ContactLogged',
            // Half the book only: the other half falls silent as the days turn, so
            // day turns change statuses and KPIs, not only dates.
            customerId: customers[(tick * perBatch + i) % Math.ceil(customers.length / 2)],
            occurredAt: new Date().toISOString(),
            data: { channel: 'call', direction: 'outbound' },
          }));
          await post(events).catch(() => postErrors++);
        }
      })();
      const queryLoop = (async () => {
        for (let i = 0; performance.now() < end; i++) {
          const t0 = performance.now();
          try {
            const response = await fetch(graphql, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: lead },
              body: JSON.stringify({ query: queries[i % queries.length], variables: { d: today } }),
            });
            const body = (await response.json()) as { errors?: { message: string }[] };
            if (!response.ok || body.errors) {
              queryErrors++;
              const why = body.errors?.[0]?.message ?? `HTTP ${response.status}`;
              errorKinds.set(why, (errorKinds.get(why) ?? 0) + 1);
            }
          } catch (error) {
            queryErrors++;
            const why = String(error);
            errorKinds.set(why, (errorKinds.get(why) ?? 0) + 1);
          }
          queryTimes.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      await Promise.all([ingestLoop, queryLoop]);
      clearInterval(sampler);

      const drainStarted = performance.now();
      const drainDeadline = Date.now() + 120_000;
      while (Date.now() < drainDeadline && ((await projectorLag(projectorReady)) ?? 1) > 0)
        await new Promise((r) => setTimeout(r, 500));
      const drainSeconds = Math.round((performance.now() - drainStarted) / 100) / 10;
      await sample();
      closing = true;
      for (const close of streams) close();
      agent.destroy();
      for (const done of onDone) await done();

      return {
        minutes: options.minutes,
        eventsPosted: posted,
        postErrors,
        queries: latencyOf('soak: queries of every kind, one at a time', queryTimes),
        queryErrors,
        queryErrorKinds: Object.fromEntries(errorKinds),
        subscribers: options.subscribers,
        messages,
        subscriptionsLost: lost,
        daysTurned: daysBetweenSamples(samples),
        statusDays: days.size,
        samples,
        memory: memoryFigures(samples),
        drainSeconds,
      };
    },
    {
      envOf: {
        projector: {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${clock}`.trim(),
          CRH_BENCH_DAY_EVERY_MS: String(options.dayEveryMs),
        },
      },
    },
  );
}

function daysBetweenSamples(samples: readonly SoakSample[]): number {
  const days = samples.map((s) => s.turnedDay).filter((d): d is string => d !== null);
  if (days.length < 2) return 0;
  return Math.round((Date.parse(days.at(-1)!) - Date.parse(days[0]!)) / 86_400_000);
}

function memoryFigures(samples: readonly SoakSample[]): SoakFigures['memory'] {
  const warm = samples.filter((s) => s.minute >= (samples.at(-1)?.minute ?? 0) / 5);
  const figures: SoakFigures['memory'] = {};
  for (const name of ['ingest', 'projector', 'gateway', 'bench']) {
    const points = warm.filter((s) => s.rssMiB[name] != null);
    const values = points.map((s) => s.rssMiB[name]!);
    if (values.length === 0) continue;
    const heapPoints = warm.filter((s) => s.heapMiB[name] != null);
    figures[name] = {
      warmMiB: values[0]!,
      endMiB: values.at(-1)!,
      peakMiB: Math.max(...values),
      slopeMiBPerHour: slopePerHour(
        points.map((s) => s.minute),
        values,
      ),
      heapSlopeMiBPerHour:
        heapPoints.length < 2
          ? null
          : slopePerHour(
              heapPoints.map((s) => s.minute),
              heapPoints.map((s) => s.heapMiB[name]!),
            ),
    };
  }
  return figures;
}

async function projectorLag(readyz: string): Promise<number | null> {
  try {
    const body = (await (await fetch(readyz)).json()) as { lag?: { events?: number } };
    return body.lag?.events ?? null;
  } catch {
    return null;
  }
}
