import { asOfInstant, type Measured, outliersAbove, recentWindowStart } from '@crh/domain';
import { testEvent } from '@crh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, openGatewayFixture } from '../../testing/gateway-fixture.ts';
import { sizeableBook } from '../../testing/sizeable-book.ts';

const NOW = '2026-06-01T12:00:00Z';
const daysBefore = (day: string, n: number) =>
  new Date(Date.parse(`${day}T15:00:00Z`) - n * 86_400_000).toISOString();
// Answers, complaints left open and promises left unkept over a year, every
// twentieth event sent late: the precomputed links between answers and the
// indexes the outliers read must give what reading every row gives.
const BOOK = [
  ...sizeableBook({ customers: 150, managers: 4, eventsPerCustomer: 30, endDate: '2026-05-31' }),
  // Its answers drop by 1 from one to the next: answers of other scores,
  // sent after the rest, some dated between earlier ones, spread the drops.
  ...Array.from({ length: 50 }, (_, i) =>
    testEvent(
      `book-${String(i * 3).padStart(5, '0')}`,
      'NpsResponded',
      daysBefore('2026-05-31', (i * 7) % 200),
      {
        score: (i * 5) % 11,
      },
    ),
  ),
];
const DAYS = ['2025-09-15', '2025-12-31', '2026-03-01', '2026-05-20', '2026-06-01'];
const METRICS = ['NEGLECTED_SHARE', 'OVERDUE_PROMISES', 'NPS_DROP', 'LONGEST_OPEN_COMPLAINT'] as const;

interface Answer {
  id: string;
  value: number;
  norm: number;
  deviation: number;
}

/**
 * Every subject of a metric, read as the outliers first read them: windows
 * over every answer up to the day, every complaint, every promise.
 */
function oracleSql(metric: (typeof METRICS)[number]): string {
  switch (metric) {
    case 'NEGLECTED_SHARE':
      return `select scope as id, sum(neglected)::float8 / sum(active) as value, scope as customer
              from crh.rm_kpi_levels where scope <> '' and day <= $1 group by scope having sum(active) > 0`;
    case 'OVERDUE_PROMISES':
      return `select l.scope as id, coalesce(o.n, 0)::float8 as value, l.scope as customer
              from (select scope from crh.rm_kpi_levels where scope <> '' and day <= $1 group by scope having sum(active) > 0) l
              left join (select coalesce(due_manager, account_manager_id) as m, count(*) as n from crh.rm_promises
                         where made_at <= $2 and due_at < $2 and (kept_at is null or kept_at > $2)
                           and (cancelled_at is null or cancelled_at > $2) group by 1) o on o.m = l.scope`;
    case 'NPS_DROP':
      return `select customer_id as id, (previous - score)::float8 as value, customer_id as customer from (
                select customer_id, score, day,
                       lag(score) over (partition by customer_id order by at, position) as previous,
                       row_number() over (partition by customer_id order by at desc, position desc) as latest
                from crh.rm_nps_answers where day <= $1) x
              where latest = 1 and previous is not null and day >= $3`;
    case 'LONGEST_OPEN_COMPLAINT':
      return `select customer_id || '/' || complaint_id as id,
                     (extract(epoch from ($2::timestamptz - received_at)) / 3600)::float8 as value, customer_id as customer
              from crh.rm_complaints where received_at <= $2 and open_periods @> $2::timestamptz`;
  }
}

describe('outliers: the same as ranking every subject read from every row', () => {
  let gateway: GatewayFixture;
  let manager: string;

  beforeAll(async () => {
    gateway = await openGatewayFixture('Europe/Amsterdam', { now: NOW });
    await gateway.record(BOOK);
    manager = await gateway.auth.bearer('account-manager', { managerId: 'am-3' });
  });
  afterAll(() => gateway.close());

  const expected = async (metric: (typeof METRICS)[number], day: string, first: number, book?: string) => {
    const at = asOfInstant(day, gateway.rules.timeZone, new Date(NOW));
    // Every metric's query is given the day, its instant and the window's start ($1-$3).
    const sql = `select * from (${oracleSql(metric)}) s
                 where $1::date is not null and $2::timestamptz is not null and $3::date is not null`;
    const { rows } = await gateway.database.pool.query<Measured & { customer: string }>(sql, [
      day,
      at,
      recentWindowStart(day),
    ]);
    let subjects = rows;
    if (book !== undefined) {
      const { rows: inBook } = await gateway.database.pool.query<{ customer_id: string }>(
        `select customer_id from crh.rm_relationship_intervals
         where account_manager_id = $1 and from_day <= $2 and (to_day is null or to_day > $2)`,
        [book, day],
      );
      const ids = new Set(inBook.map((r) => r.customer_id));
      subjects = rows.filter((r) => ids.has(r.customer));
    }
    return { subjects: subjects.length, ranked: outliersAbove(subjects, first) };
  };
  const asked = async (metric: string, day: string, first: number, authorization?: string) => {
    const answer = await gateway.query<{ outliers: Answer[] }>(
      `query ($day: Date, $metric: OutlierMetric!, $first: Int) {
        outliers(date: $day, metric: $metric, first: $first) { id value norm deviation } }`,
      { day, metric, first },
      NOW,
      authorization,
    );
    expect(answer.errors).toBeUndefined();
    return answer.data!.outliers;
  };
  const same = (actual: Answer[], wanted: Answer[], what: string) => {
    expect(
      actual.map((o) => [o.id, o.deviation]),
      what,
    ).toEqual(wanted.map((o) => [o.id, o.deviation]));
    // Hours since a receipt come from float8 arithmetic now, from numeric before: equal to the last few digits.
    actual.forEach((o, i) => {
      expect(o.value, what).toBeCloseTo(wanted[i]!.value, 9);
      expect(o.norm, what).toBeCloseTo(wanted[i]!.norm, 9);
    });
  };

  it('for the organisation, on days across the year', async () => {
    for (const metric of METRICS) {
      let outliers = 0;
      for (const day of DAYS) {
        const wanted = await expected(metric, day, 8);
        if (day === '2026-05-20') expect(wanted.subjects, `${metric} ${day}`).toBeGreaterThan(3);
        same(await asked(metric, day, 8), wanted.ranked, `${metric} ${day}`);
        outliers += wanted.ranked.length;
      }
      expect(outliers, metric).toBeGreaterThan(0);
    }
    // Enough subjects above the norm that the cut at `first` falls among them.
    const many = await expected('LONGEST_OPEN_COMPLAINT', '2026-05-20', 3);
    expect(many.ranked).toHaveLength(3);
    same(await asked('LONGEST_OPEN_COMPLAINT', '2026-05-20', 3), many.ranked, 'a cut at 3');
  });

  it("for an account manager, its own book's customers ranked among themselves", async () => {
    for (const metric of ['NPS_DROP', 'LONGEST_OPEN_COMPLAINT'] as const) {
      for (const day of DAYS) {
        const wanted = await expected(metric, day, 5, 'am-3');
        same(await asked(metric, day, 5, manager), wanted.ranked, `${metric} ${day} am-3`);
      }
    }
  });

  it('keeps the month sums of the levels in step with the levels, written live in batches', async () => {
    const columns = 'active, going_quiet, neglected, open_complaints, retained';
    const nonZero = 'where (active, going_quiet, neglected, open_complaints, retained) <> (0, 0, 0, 0, 0)';
    const { rows: months } = await gateway.database.pool.query(
      `select scope, month::text, ${columns} from crh.rm_kpi_level_months ${nonZero} order by 1, 2`,
    );
    const { rows: summed } = await gateway.database.pool.query(
      `select * from (select scope, date_trunc('month', day::timestamp)::date::text as month,
                             ${columns.replace(/(\w+)/g, 'sum($1)::int as $1')}
                      from crh.rm_kpi_levels group by 1, 2) s ${nonZero} order by 1, 2`,
    );
    expect(months.length).toBeGreaterThan(20);
    expect(months).toEqual(summed);
  });

  it('gives no one for first: 0, and a day without subjects gives no one', async () => {
    expect(await asked('NPS_DROP', '2026-05-20', 0)).toEqual([]);
    expect(await asked('LONGEST_OPEN_COMPLAINT', '2025-01-01', 10)).toEqual([]);
  });
});
