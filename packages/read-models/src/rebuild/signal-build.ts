import {
  customerSignals,
  type LocalDate,
  mergeDayCounts,
  type PositionedEvent,
  type ScopedDayCounts,
  type ScopedDelight,
  type StatusInterval,
  withSignals,
} from '@crh/domain';
import { addLevelChanges } from '../projection/kpi-changes.ts';
import { addDelightChanges, NOTHING } from '../projection/signal-projection.ts';
import { type CopyValue, copyInto } from '../schema/copy-rows.ts';
import type { Queryable } from '../schema/interval-rows.ts';
import { LEVEL_COLUMNS, levelMonthsSql } from '../schema/level-months.ts';
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
} from '../schema/signal-rows.ts';
import {
  LEVEL_SUM_COLUMNS,
  SHADOW_DAY_SUMS,
  SHADOW_DELIGHT_SUMS,
  SHADOW_LEVEL_SUMS,
  SHADOW_SCHEMA,
  shadowOf,
} from './shadow-tables.ts';

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
  levelSums: CopyValue[][];
}

/**
 * Derives whole customers' signals during a build into the shadow tables:
 * rows are copied in chunks, the daily sums spilled now and then and
 * summed at the end (see sumShadowSignals).
 */
/** One customer's signals, ready to be added to a build. */
export interface DerivedSignals {
  history: ReturnType<typeof withSignals>;
  signals: ReturnType<typeof customerSignals>;
}

export class SignalBuild {
  private counts: ScopedDayCounts = new Map();
  private delight: ScopedDelight = new Map();
  /** Per (scope, day): the changes of the levels its intervals start and end (LEVEL_SUM_COLUMNS). */
  private levels: ScopedDayCounts = new Map();
  private rows = emptyRows();
  private readonly timeZone: string;

  constructor(timeZone: string) {
    this.timeZone = timeZone;
  }

  /** A customer's signals, derived without touching the build: what may throw on a poison event. */
  derive(customerId: string, events: readonly PositionedEvent[]): DerivedSignals | null {
    const history = withSignals([], events);
    if (history.length === 0) return null;
    return { history, signals: customerSignals(customerId, history, this.timeZone) };
  }

  addDerived(customerId: string, derived: DerivedSignals | null): void {
    if (derived === null) return;
    const { history, signals } = derived;
    this.rows.histories.push([customerId, JSON.stringify(history)]);
    mergeDayCounts(this.counts, signals.counts);
    addDelightChanges(this.delight, NOTHING, signals);
    for (const c of signals.complaints) this.rows.complaints.push(complaintRow(c));
    for (const p of signals.promises) this.rows.promises.push(promiseRow(p));
    for (const a of signals.answers) this.rows.answers.push(answerRow(a));
  }

  /**
   * A customer's intervals as changes of the daily levels: what the live
   * projector adds up for every interval it writes (kpi-changes.ts), here
   * summed per (scope, day) before anything is written.
   */
  addIntervals(intervals: readonly StatusInterval[]): void {
    addLevelChanges(this.levels, intervals, 1);
  }

  /** The rows collected since the last take; the sums too when they are many, or `all`. */
  take(all: boolean): SignalRows {
    const rows = this.rows;
    this.rows = emptyRows();
    const delightEntries = [...this.delight.values()].reduce((n, actors) => n + entries(actors), 0);
    if (all || entries(this.counts) + delightEntries + entries(this.levels) >= SPILL_ENTRIES) {
      for (const [scope, byDay] of this.counts) {
        for (const [day, sums] of byDay) rows.daySums.push([scope, day, ...sums]);
      }
      for (const [scope, byActor] of this.delight) {
        for (const [actor, byDay] of byActor) {
          for (const [day, n] of byDay) rows.delightSums.push([scope, actor, day, n]);
        }
      }
      for (const [scope, byDay] of this.levels) {
        for (const [day, sums] of byDay) rows.levelSums.push([scope, day, ...sums]);
      }
      this.counts = new Map();
      this.delight = new Map();
      this.levels = new Map();
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
  levelSums: [],
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
    await copyInto(db, SHADOW_DELIGHT_SUMS, ['scope', 'actor_id', 'day', 'moments'], rows.delightSums);
  }
  if (rows.levelSums.length > 0) {
    await copyInto(db, SHADOW_LEVEL_SUMS, ['scope', 'day', ...LEVEL_SUM_COLUMNS], rows.levelSums);
  }
}

/**
 * The shadow tables' daily KPIs, each in one statement once every row is
 * in: the day counts and medians, the delight days, and the levels (the
 * intervals' changes, see addIntervals, plus the retention changes).
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
    `insert into ${shadowOf('crh.rm_delight_days')} (scope, actor_id, day, moments)
     select scope, actor_id, day, sum(moments)::int from ${SHADOW_DELIGHT_SUMS} group by 1, 2, 3 having sum(moments) <> 0`,
  );
  const levels = LEVEL_SUM_COLUMNS.join(', ');
  await db.query(
    `insert into ${shadowOf('crh.rm_kpi_levels')} (scope, day, ${levels}, retained)
     select scope, day, ${LEVEL_SUM_COLUMNS.map((c) => `sum(${c})::int`).join(', ')}, sum(retained)::int
     from (
       select scope, day, ${levels}, 0 as retained from ${SHADOW_LEVEL_SUMS}
       union all
       select scope, day, ${LEVEL_SUM_COLUMNS.map(() => '0').join(', ')}, retained from ${SHADOW_DAY_SUMS} where retained <> 0
     ) changes
     group by scope, day`,
  );
  // Built without triggers: the months the live table's triggers keep, summed once.
  await db.query(
    levelMonthsSql(
      shadowOf('crh.rm_kpi_level_months'),
      `select scope, day, ${LEVEL_COLUMNS.join(', ')} from ${shadowOf('crh.rm_kpi_levels')}`,
    ),
  );
}
