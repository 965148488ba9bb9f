import {
  DEFAULT_COMPLAINT_SLA,
  isActiveStatus,
  isPastDeadline,
  median,
  NPS_BUCKETS,
  npsBucket,
  RELATIONSHIP_STATUSES,
  slaBreaches,
  slaDeadline,
} from '@crh/domain';
import { openPlatformTestDatabase, type PlatformTestDatabase } from '@crh/testing/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeStatusSql,
  medianSql,
  npsBucketSql,
  overdueSpanSql,
  pastDeadlineSql,
  pastSlaDeadlineSql,
  promiseStatusSql,
  runningSlaBreachSql,
  slaDeadlineSql,
} from './rule-sql.ts';

// Each SQL fragment, run on PostgreSQL, answers as the domain rule it is
// built from, at the boundaries: the instant itself and one millisecond
// either side, each bucket's edge scores, every status.

const ms = (at: string, delta: number) => new Date(Date.parse(at) + delta).toISOString();
const around = (at: string) => [ms(at, -1), at, ms(at, 1)];

describe('rule SQL agrees with the domain', () => {
  let database: PlatformTestDatabase;
  beforeAll(async () => {
    database = await openPlatformTestDatabase(1);
  });
  afterAll(() => database.close());

  const value = async <T>(sql: string, params: unknown[]): Promise<T> =>
    (await database.pool.query<{ v: T }>(`select ${sql} as v`, params)).rows[0]!.v;

  it('judges a deadline past only after it', async () => {
    const due = '2026-05-20T10:00:00.000Z';
    const sql = pastDeadlineSql('$1::timestamptz', '$2::timestamptz');
    const answers = await Promise.all(around(due).map((now) => value<boolean>(sql, [due, now])));
    expect(answers).toEqual(around(due).map((now) => isPastDeadline(due, now)));
    expect(answers).toEqual([false, false, true]);
  });

  it('places service-level deadlines where the domain does and judges them alike', async () => {
    const received = '2026-05-01T10:00:00.000Z';
    for (const hours of [24, 48, 120, 0.5]) {
      const deadline = slaDeadline(received, hours);
      const at = await value<Date>(slaDeadlineSql('$1::timestamptz', '$2::float8'), [received, hours]);
      expect(at.toISOString()).toBe(deadline);
      const sql = pastSlaDeadlineSql('$1::timestamptz', '$2::float8', '$3');
      const answers = await Promise.all(around(deadline).map((now) => value(sql, [received, hours, now])));
      expect(answers, `${hours} h`).toEqual(around(deadline).map((now) => isPastDeadline(deadline, now)));
      expect(answers).toEqual([false, false, true]);
    }
  });

  it('calls a complaint row overdue exactly when the domain sees a running breach', async () => {
    const received = '2026-05-01T10:00:00.000Z';
    const sla = DEFAULT_COMPLAINT_SLA;
    const sql = `(select ${runningSlaBreachSql({ acknowledge: '$5', update: '$6', resolve: '$7' }, '$8')}
      from (select $1::boolean as open, $2::timestamptz as received_at, $3::timestamptz as acknowledged_at,
                   $4::timestamptz as silent_since) c)`;
    const cases = [
      // never acknowledged: the acknowledge deadline
      { open: true, acknowledgedAt: null, silentSince: received, at: slaDeadline(received, sla.acknowledge) },
      // acknowledged at once, silent since: the update deadline
      { open: true, acknowledgedAt: received, silentSince: received, at: slaDeadline(received, sla.update) },
      // kept informed: the resolve deadline
      {
        open: true,
        acknowledgedAt: received,
        silentSince: '2026-05-05T10:00:00.000Z',
        at: slaDeadline(received, sla.resolve),
      },
      // resolved: never running
      { open: false, acknowledgedAt: null, silentSince: null, at: slaDeadline(received, sla.resolve) },
    ];
    for (const c of cases) {
      const facts = {
        receivedAt: received,
        acknowledgedAt: c.acknowledgedAt,
        firstResolvedAt: c.open ? null : received,
        open: c.open,
        longestSilenceHours: 0,
        longestSilenceFrom: null,
        silentSince: c.silentSince,
      };
      for (const now of around(c.at)) {
        const row = [
          c.open,
          received,
          c.acknowledgedAt,
          c.silentSince,
          sla.acknowledge,
          sla.update,
          sla.resolve,
        ];
        const running = slaBreaches(facts, new Date(now), sla).some((b) => b.running);
        expect(await value(sql, [...row, now]), `${JSON.stringify(c)} at ${now}`).toBe(running);
      }
    }
  });

  it("gives a promise row's status at now as the deadline rule does", async () => {
    const due = '2026-05-20T10:00:00.000Z';
    const sql = `(select ${promiseStatusSql('$3::timestamptz')} from (select $1::text as settled, $2::timestamptz as due_at) p)`;
    const open = await Promise.all(around(due).map((now) => value(sql, [null, due, now])));
    expect(open).toEqual(around(due).map((now) => (isPastDeadline(due, now) ? 'OVERDUE' : 'OPEN')));
    expect(open).toEqual(['OPEN', 'OPEN', 'OVERDUE']);
    expect(await value(sql, ['KEPT_LATE', due, ms(due, 1)])).toBe('KEPT_LATE');
  });

  it('holds the instants a promise row is overdue: past its due time, until kept or cancelled', async () => {
    const due = '2026-05-20T10:00:00.000Z';
    const sql = `(select ${overdueSpanSql()} @> $4::timestamptz
      from (select $1::timestamptz as due_at, $2::timestamptz as kept_at, $3::timestamptz as cancelled_at) p)`;
    const overdue = (kept: string | null, cancelled: string | null, at: string) =>
      isPastDeadline(due, at) && !(kept !== null && kept <= at) && !(cancelled !== null && cancelled <= at);
    const later = ms(due, 3_600_000);
    const settlements: [string | null, string | null][] = [
      [null, null],
      [ms(due, -60_000), null], // kept before its due time: never overdue
      [due, null], // kept at its due time
      [later, null],
      [null, later],
      [later, ms(due, 60_000)], // cancelled before it was kept: the earlier ends it
    ];
    for (const [kept, cancelled] of settlements) {
      const instants = [...around(due), ...around(later), ms(due, 60_000), '2027-01-01T00:00:00.000Z'];
      for (const at of instants) {
        expect(await value(sql, [due, kept, cancelled, at]), `${kept} ${cancelled} at ${at}`).toBe(
          overdue(kept, cancelled, at),
        );
      }
    }
  });

  it('buckets every score as npsBucket does', async () => {
    for (const score of [0, 1, 5, 6, 7, 8, 9, 10]) {
      for (const bucket of NPS_BUCKETS) {
        expect(await value(npsBucketSql(bucket, '$1::int'), [score]), `${score} ${bucket}`).toBe(
          npsBucket(score) === bucket,
        );
      }
    }
  });

  it('takes the median as the domain does, the mean of the middle two for an even count', async () => {
    const sql = `(select ${medianSql('x')} from unnest($1::float8[]) x)`;
    for (const values of [[5], [4, 1, 3], [1, 2, 3, 10], [-1.5, 2, 2, 7.25, 9, 11]]) {
      expect(await value(sql, [values]), values.join()).toBe(median(values));
    }
    expect(await value(sql, [[1, 2, 3, 10]])).toBe(2.5);
  });

  // Migration 004's interval-level trigger counted with it (until 007 moved the levels into the projector).
  it('counts as active the statuses isActiveStatus does', async () => {
    for (const status of RELATIONSHIP_STATUSES) {
      expect(await value(activeStatusSql('$1::text'), [status]), status).toBe(isActiveStatus(status));
    }
  });
});
