import { addDays } from '@crh/domain';
import { type GatewayFixture, openGatewayFixture } from '@crh/gateway/testing';
import { createProjector } from '@crh/read-models/runner';
import { requestRebuild } from '@crh/read-models/schema';
import { quietLogger } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultContext } from '../support/domain-oracle.ts';
import {
  type KpiOracleEvent,
  type OracleDailyKpis,
  oracleDailyKpis,
  oracleStreak,
} from '../support/kpi-oracle.ts';
import { sendRandomBook } from '../support/random-book-fixture.ts';
import { type HistoryEvent, randomHistory } from '../support/random-history.ts';

// The issue's acceptance test: random books sent with late and re-sent
// events must give exactly the daily KPIs of docs/rules.md on every day, for the
// organisation and per account manager, in UTC and in a zone with a
// half-hour offset and DST. Expected values come from the independent oracle
// (test/support/kpi-oracle.ts), not from the platform's rules.

const START = '2026-01-01';
const DAYS = 150;
const MANAGERS = ['am-1', 'am-2', 'am-3'];
const NOW = '2027-01-01T12:00:00Z';
const LAST = addDays(START, DAYS + 60);

const FIELDS = `date activeCustomers goingQuiet neglected churned npsResponses promoters passives detractors nps
  complaintsReceived complaintsResolved openComplaints medianHoursToAcknowledge medianHoursToResolve
  promisesDue promisesKeptOnTime delightMoments compliments retentionRate90d`;
const FLOATS = ['medianHoursToAcknowledge', 'medianHoursToResolve', 'retentionRate90d'] as const;

const SERIES = `query ($from: Date!, $to: Date!) {
  org: dailyKpis(from: $from, to: $to) { ${FIELDS} }
  ${MANAGERS.map((m, i) => `am${i}: dailyKpis(from: $from, to: $to, accountManagerId: "${m}") { ${FIELDS} }`).join('\n')}
}`;

/** Equal field by field; medians and rates within floating-point rounding (SQL interpolates medians). */
function expectSameKpis(got: OracleDailyKpis, want: OracleDailyKpis, label: string) {
  for (const field of FLOATS) {
    const [g, w] = [got[field], want[field]];
    if (w === null) expect(g, `${label} ${field}`).toBeNull();
    else expect(g, `${label} ${field}`).toBeCloseTo(w, 9);
  }
  const exact = (k: OracleDailyKpis) => {
    const copy: Record<string, unknown> = { ...k };
    for (const field of FLOATS) delete copy[field];
    return copy;
  };
  expect(exact(got), label).toEqual(exact(want));
}

function cornerCases(customerId: string): HistoryEvent[] {
  const event = (
    n: number,
    type: string,
    occurredAt: string,
    data: Record<string, unknown>,
  ): HistoryEvent => ({
    id: `00000000-0000-4000-8000-${customerId.length.toString().padStart(4, '0')}0000000${n}`,
    type,
    customerId,
    occurredAt,
    data,
  });
  return [
    event(1, 'CustomerOnboarded', '2026-01-05T12:00:00Z', { name: 'Even', accountManagerId: 'am-2' }),
    event(2, 'ComplaintReceived', '2026-02-02T09:00:00Z', { complaintId: 'c1', channel: 'email' }),
    event(3, 'ComplaintReceived', '2026-02-02T13:00:00Z', { complaintId: 'c2', channel: 'call' }),
    event(4, 'ComplaintAcknowledged', '2026-02-03T15:00:00Z', { complaintId: 'c1' }),
    event(5, 'ComplaintAcknowledged', '2026-02-03T16:00:00Z', { complaintId: 'c2' }),
    event(6, 'ComplaintResolved', '2026-02-04T10:00:00Z', { complaintId: 'c1' }),
    event(7, 'ComplaintReopened', '2026-02-06T10:00:00Z', { complaintId: 'c1' }),
    event(8, 'PromiseMade', '2026-02-02T10:00:00Z', {
      promiseId: 'p1',
      description: 'visit',
      dueAt: '2026-02-10T10:00:00Z',
    }),
    event(9, 'PromiseCancelled', '2026-02-05T10:00:00Z', { promiseId: 'p1' }),
  ];
}

describe.each(['UTC', 'America/St_Johns'])(
  'daily KPIs on every day, against the independent oracle (%s)',
  (zone) => {
    let fixture: GatewayFixture;
    let events: KpiOracleEvent[];
    const context = defaultContext(zone);

    beforeAll(async () => {
      fixture = await openGatewayFixture(zone, { now: NOW });
      const history = randomHistory({
        seed: zone.length * 104_729,
        customers: 40,
        eventsPerCustomer: 26,
        startDay: START,
        days: DAYS,
        managers: MANAGERS.length,
        customerPrefix: `kpi-${zone.length}-`,
      });
      // Sent last (late): two complaints acknowledged on one day (an even count), a
      // reopening, a promise cancelled before its due time.
      history.sendOrder.events.push(...cornerCases(`kpi-${zone.length}-even`));
      events = await sendRandomBook(fixture, history);
    }, 120_000);
    afterAll(() => fixture.close());

    it('gives every day exactly the oracle’s KPIs, for the organisation and each manager', async () => {
      const from = addDays(START, -1);
      const result = await fixture.query<Record<string, OracleDailyKpis[]>>(SERIES, { from, to: LAST });
      expect(result.errors).toBeUndefined();
      const scopes: [string, string | undefined][] = [
        ['org', undefined],
        ...MANAGERS.map((m, i): [string, string] => [`am${i}`, m]),
      ];
      const seen = { evenMedian: false, emptyNps: false, retention: false, kept: false, resolved: false };
      for (const [alias, manager] of scopes) {
        const series = result.data![alias]!;
        expect(series.map((k) => k.date)).toEqual(
          Array.from({ length: DAYS + 62 }, (_, i) => addDays(from, i)),
        );
        for (const got of series) {
          const want = oracleDailyKpis(events, got.date, context, manager);
          expectSameKpis(got, want, `${got.date} ${manager ?? 'organisation'}`);
          seen.emptyNps ||= want.nps === null;
          seen.retention ||= want.retentionRate90d !== null && want.retentionRate90d < 1;
          seen.kept ||= want.promisesKeptOnTime > 0 && want.promisesDue > want.promisesKeptOnTime;
          seen.resolved ||= want.complaintsResolved > 0;
        }
      }
      // Even counts: some day's median is the mean of two middle values, so it
      // equals no single complaint's hours to acknowledge.
      const first = new Map<string, { received?: number; acknowledged?: number }>();
      for (const e of [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))) {
        const key = `${e.customerId}|${String(e.data.complaintId)}`;
        const entry = first.get(key) ?? {};
        if (e.type === 'ComplaintReceived') entry.received ??= Date.parse(e.occurredAt);
        if (e.type === 'ComplaintAcknowledged') entry.acknowledged ??= Date.parse(e.occurredAt);
        first.set(key, entry);
      }
      const single = [...first.values()]
        .filter((c) => c.received !== undefined && c.acknowledged !== undefined)
        .map((c) => (c.acknowledged! - c.received!) / 3_600_000);
      seen.evenMedian = result.data!.org!.some(
        (k) =>
          k.medianHoursToAcknowledge !== null &&
          !single.some((h) => Math.abs(h - k.medianHoursToAcknowledge!) < 1e-9),
      );
      expect(seen).toEqual({ evenMedian: true, emptyNps: true, retention: true, kept: true, resolved: true });
      // The book also holds reopened complaints and promises cancelled before their due time.
      const dueOf = new Map(
        events
          .filter((e) => e.type === 'PromiseMade')
          .map((e) => [`${e.customerId}|${e.data.promiseId}`, e.data.dueAt]),
      );
      expect(events.some((e) => e.type === 'ComplaintReopened')).toBe(true);
      expect(
        events.some(
          (e) =>
            e.type === 'PromiseCancelled' &&
            Date.parse(e.occurredAt) < Date.parse(String(dueOf.get(`${e.customerId}|${e.data.promiseId}`))),
        ),
      ).toBe(true);
    });

    it('gives each day’s fans with the oracle’s streaks', async () => {
      const actors = [
        ...new Set(events.filter((e) => e.type === 'DelightMomentRecorded').map((e) => e.actorId!)),
      ];
      let longest = 0;
      for (let d = 0; d < DAYS + 5; d++) {
        const day = addDays(START, d);
        const result = await fixture.query<{ fans: { employeeId: string; streak: number }[] }>(
          'query ($day: Date!) { fans(date: $day, first: 500) { employeeId streak } }',
          { day },
        );
        const want = actors
          .map((employeeId) => ({ employeeId, streak: oracleStreak(events, employeeId, day, context) }))
          .filter((f) => f.streak > 0);
        const got = result.data!.fans;
        expect(new Map(got.map((f) => [f.employeeId, f.streak])), day).toEqual(
          new Map(want.map((f) => [f.employeeId, f.streak])),
        );
        expect(
          got.map((f) => f.streak),
          day,
        ).toEqual([...got.map((f) => f.streak)].sort((a, b) => b - a));
        longest = Math.max(longest, ...want.map((f) => f.streak));
      }
      expect(longest).toBeGreaterThan(1);
    });

    it('gives the same series after a rebuild from the log, customer by customer', async () => {
      const variables = { from: addDays(START, -1), to: LAST };
      const before = await fixture.query(SERIES, variables);
      // A stray row the rebuild must sweep away: it starts from empty tables.
      await fixture.database.pool.query(
        `insert into crh.rm_kpi_day_counts (scope, day, churned) values ('stray', '2026-02-01', 5)`,
      );
      await requestRebuild(fixture.database.pool);
      const rebuilding = createProjector({
        store: fixture.database.store,
        pool: fixture.database.pool,
        logger: quietLogger,
        context: fixture.rules,
        batchSize: 100,
        now: () => new Date(NOW),
      });
      await rebuilding.catchUp();
      const levels = await fixture.database.pool.query('select count(*)::int as n from crh.rm_kpi_levels');
      expect(levels.rows[0].n).toBeGreaterThan(0);
      expect(await fixture.query(SERIES, variables)).toEqual(before);
    });

    it('sums the managers to the organisation for every count', async () => {
      const result = await fixture.query<Record<string, OracleDailyKpis[]>>(SERIES, {
        from: addDays(START, 30),
        to: addDays(START, 120),
      });
      const { org, ...managers } = result.data!;
      const COUNTS = [
        'activeCustomers',
        'goingQuiet',
        'neglected',
        'churned',
        'npsResponses',
        'openComplaints',
        'complaintsReceived',
        'promisesDue',
        'delightMoments',
        'compliments',
      ] as const;
      org!.forEach((day, i) => {
        for (const field of COUNTS) {
          const sum = Object.values(managers).reduce((n, series) => n + series[i]![field], 0);
          expect(sum, `${day.date} ${field}`).toBe(day[field]);
        }
      });
    });
  },
);

describe('daily KPIs: arguments', () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await openGatewayFixture('UTC', { now: '2026-03-10T08:00:00Z' });
  });
  afterAll(() => fixture.close());

  it('returns no rows for days after today, and rejects bad ranges, managers and cursors', async () => {
    const q = `query ($from: Date!, $to: Date!) { dailyKpis(from: $from, to: $to) { date activeCustomers } }`;
    const ok = await fixture.query<{ dailyKpis: { date: string }[] }>(q, {
      from: '2026-03-08',
      to: '2026-04-30',
    });
    expect(ok.data!.dailyKpis.map((k) => k.date)).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
    const future = await fixture.query<{ dailyKpis: unknown[] }>(q, { from: '2026-03-11', to: '2026-03-20' });
    expect(future.data!.dailyKpis).toEqual([]);
    const backwards = await fixture.query(q, { from: '2026-03-09', to: '2026-03-01' });
    expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ancient = await fixture.query(q, { from: '0001-01-01', to: '0001-02-01' });
    expect(ancient.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await fixture.query(
      '{ dailyKpis(from: "2026-03-01", to: "2026-03-02", accountManagerId: "") { date } }',
    );
    expect(empty.errors?.[0]?.message).toBe('accountManagerId must not be empty');
    // A cursor of the right shape whose first key is no instant is the client's mistake, not a server error.
    const forged = Buffer.from(JSON.stringify(['x', 'a', 'b'])).toString('base64url');
    const page = await fixture.query(`{ complaints(after: "${forged}") { edges { cursor } } }`);
    expect(page.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
