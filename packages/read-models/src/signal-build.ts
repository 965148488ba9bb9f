import {
  customerSignals,
  type LocalDate,
  mergeDayCounts,
  type PositionedEvent,
  type ScopedDayCounts,
  withSignals,
} from '@crh/domain';
import { type CopyValue, copyInto } from './copy-rows.ts';
import type { Queryable } from './interval-rows.ts';
import { SHADOW_DAY_SUMS, SHADOW_DELIGHT_SUMS, SHADOW_SCHEMA, shadowOf } from './shadow-tables.ts';
import { addDelightChanges, NOTHING } from './signal-projection.ts';
import {
  answerRow,
  COUNT_COLUMNS,
  complaintRow,
  copyAnswers,
  copyComplaints,
  copyPromises,
  DAY_SUM_COLUMNS,
  dayMediansSql,
  promiseRow,
} from './signal-rows.ts';

/**
 * (scope, day) sums held in memory before they spill to the shadow schema:
 * a book's sums grow with managers × days, so memory would grow with the
 * book; spilled partial sums are added up once, in SQL, at the end.
 */
const SPILL_ENTRIES = 50_000;

/** Rows a build has collected, written in one go (while the next ones are derived). */
export interface SignalRows {
  histories: CopyValue[][];
  complaints: CopyValue[][];
  promises: CopyValue[][];
  answers: CopyValue[][];
  daySums: CopyValue[][];
  delightSums: CopyValue[][];
}

/**
 * Derives whole customers' signals during a build into the shadow tables:
 * rows are copied in chunks, the daily sums spilled now and then and
 * summed at the end (see sumShadowSignals).
 */
export class SignalBuild {
  private counts: ScopedDayCounts = new Map();
  private delight = new Map<string, Map<LocalDate, number>>();
  private rows = emptyRows();
  private readonly timeZone: string;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
  }

  add(customerId: string, events: readonly PositionedEvent[]): void {
    const history = withSignals([], events);
    if (history.length === 0) return;
    const signals = customerSignals(customerId, history, this.timeZone);
    this.rows.histories.push([customerId, JSON.stringify(history)]);
    mergeDayCounts(this.counts, signals.counts);
    addDelightChanges(this.delight, NOTHING, signals);
    for (const c of signals.complaints) this.rows.complaints.push(complaintRow(c));
    for (const p of signals.promises) this.rows.promises.push(promiseRow(p));
    for (const a of signals.answers) this.rows.answers.push(answerRow(a));
  }

  /** The rows collected since the last take; the sums too when they are many, or `all`. */
  take(all: boolean): SignalRows {
    const rows = this.rows;
    this.rows = emptyRows();
    if (all || entries(this.counts) + entries(this.delight) >= SPILL_ENTRIES) {
      for (const [scope, byDay] of this.counts) {
        for (const [day, sums] of byDay) rows.daySums.push([scope, day, ...sums]);
      }
      for (const [actor, byDay] of this.delight) {
        for (const [day, n] of byDay) rows.delightSums.push([actor, day, n]);
      }
      this.counts = new Map();
      this.delight = new Map();
    }
    return rows;
  }
}

const emptyRows = (): SignalRows => ({
  histories: [],
  complaints: [],
  promises: [],
  answers: [],
  daySums: [],
  delightSums: [],
});

const entries = (byKey: ReadonlyMap<string, ReadonlyMap<LocalDate, unknown>>) => {
  let n = 0;
  for (const byDay of byKey.values()) n += byDay.size;
  return n;
};

export async function writeSignalRows(db: Queryable, rows: SignalRows): Promise<void> {
  if (rows.histories.length > 0) {
    await copyInto(db, shadowOf('crh.rm_customer_signals'), ['customer_id', 'history'], rows.histories);
  }
  await copyComplaints(db, rows.complaints, SHADOW_SCHEMA);
  await copyPromises(db, rows.promises, SHADOW_SCHEMA);
  await copyAnswers(db, rows.answers, SHADOW_SCHEMA);
  if (rows.daySums.length > 0) {
    await copyInto(db, SHADOW_DAY_SUMS, ['scope', 'day', ...DAY_SUM_COLUMNS], rows.daySums);
  }
  if (rows.delightSums.length > 0) {
    await copyInto(db, SHADOW_DELIGHT_SUMS, ['actor_id', 'day', 'moments'], rows.delightSums);
  }
}

/**
 * The shadow tables' daily KPIs, each in one statement once every row is
 * in: the day counts and medians, the delight days, and the levels. The
 * levels are what the live interval triggers (migration 003) would add up
 * for every interval inserted, plus the retention changes.
 */
export async function sumShadowSignals(db: Queryable): Promise<void> {
  const counts = COUNT_COLUMNS.join(', ');
  const complaints = shadowOf('crh.rm_complaints');
  await db.query(
    `insert into ${shadowOf('crh.rm_kpi_day_counts')}
       (scope, day, ${counts}, median_hours_to_acknowledge, median_hours_to_resolve)
     with sums as (
       select scope, day, ${COUNT_COLUMNS.map((c) => `sum(${c})::int as ${c}`).join(', ')}
       from ${SHADOW_DAY_SUMS} group by 1, 2
       having ${COUNT_COLUMNS.map((c) => `sum(${c}) <> 0`).join(' or ')}),
     ack as (${dayMediansSql('acknowledged', complaints)}),
     res as (${dayMediansSql('resolved', complaints)})
     select scope, day, ${COUNT_COLUMNS.map((c) => `coalesce(sums.${c}, 0)`).join(', ')}, ack.m, res.m
     from sums full join ack using (scope, day) full join res using (scope, day)`,
  );
  await db.query(
    `insert into ${shadowOf('crh.rm_delight_days')} (actor_id, day, moments)
     select actor_id, day, sum(moments)::int from ${SHADOW_DELIGHT_SUMS} group by 1, 2 having sum(moments) <> 0`,
  );
  await db.query(
    `insert into ${shadowOf('crh.rm_kpi_levels')} (scope, day, active, going_quiet, neglected, open_complaints, retained)
     select scope, day, sum(active)::int, sum(going_quiet)::int, sum(neglected)::int,
            sum(open_complaints)::int, sum(retained)::int
     from (
       select s.scope, e.day,
              e.sign * (c.status <> 'CHURNED')::int as active,
              e.sign * (c.status = 'GOING_QUIET')::int as going_quiet,
              e.sign * (c.status = 'NEGLECTED')::int as neglected,
              e.sign * c.open_complaints as open_complaints,
              0 as retained
       from ${shadowOf('crh.rm_relationship_intervals')} c
       cross join lateral (values (c.from_day, 1), (c.to_day, -1)) as e(day, sign)
       cross join lateral (values (''), (c.account_manager_id)) as s(scope)
       where e.day is not null and s.scope is not null
       union all
       select scope, day, 0, 0, 0, 0, retained from ${SHADOW_DAY_SUMS} where retained <> 0
     ) changes
     group by scope, day`,
  );
}
