import type { ComplaintSla } from '@crh/domain';
import type { Pool } from 'pg';
import { RELATIONSHIPS_PROJECTION } from '../schema/checkpoints.ts';
import type { Queryable } from '../schema/interval-rows.ts';
import { lockClock } from '../schema/projection-clock.ts';
import { pastDeadlineSql, pastSlaDeadlineSql, SLA_TARGETS_SQL, slaDeadlineSql } from '../schema/rule-sql.ts';

export type AlertKind =
  | 'PROMISE_OVERDUE'
  | 'COMPLAINT_ACKNOWLEDGE_OVERDUE'
  | 'COMPLAINT_UPDATE_OVERDUE'
  | 'COMPLAINT_RESOLVE_OVERDUE';

export interface SignalAlert {
  kind: AlertKind;
  customerId: string;
  /** The promise or complaint id. */
  subjectId: string;
  accountManagerId: string;
  dueAt: string;
  at: string;
}

const SLA_HOURS: Record<keyof ComplaintSla, string> = { acknowledge: '$4', update: '$5', resolve: '$6' };
const CUSTOMERS = '($7::text[] is null or customer_id = any($7))';

/**
 * A deadline is announced by the first check at which it is past: past at
 * `until` ($2) and, when there was an earlier check, not yet past at `after`
 * ($1), so consecutive windows neither miss nor repeat one, whatever the
 * rule's boundary. The SQL of every kind, from the rule fragments.
 */
const DUE_SQL = [
  `select 'PROMISE_OVERDUE' as kind, customer_id, promise_id as subject_id, account_manager_id, due_at
   from crh.rm_promises where settled is null and ${pastDeadlineSql('due_at', '$2::timestamptz')}
     and ($1::timestamptz is null or not ${pastDeadlineSql('due_at', '$1::timestamptz')}) and ${CUSTOMERS}`,
  ...SLA_TARGETS_SQL.map(({ kind, from, hours, pending }) => {
    const h = SLA_HOURS[hours];
    return `select 'COMPLAINT_${kind}_OVERDUE', customer_id, complaint_id, account_manager_id, ${slaDeadlineSql(from, h)}
   from crh.rm_complaints where ${pending} and ${pastSlaDeadlineSql(from, h, '$2')}
     and ($1::timestamptz is null or not ${pastSlaDeadlineSql(from, h, '$1')}) and ${CUSTOMERS}`;
  }),
].join('\n   union all\n   ');

/**
 * Announces every deadline missed since the check at `after` and by `until`
 * (see DUE_SQL), once per deadline (the unique key drops repeats): promises
 * due and neither kept nor cancelled; open complaints not acknowledged,
 * silent, or unresolved past their targets. `customers` limits it to those
 * (a batch's); null: everyone.
 */
export async function announceDeadlines(
  db: Queryable,
  window: { after: Date | null; until: Date; at: Date },
  sla: ComplaintSla,
  customers: readonly string[] | null,
): Promise<SignalAlert[]> {
  const { rows } = await db.query<{
    kind: AlertKind;
    customer_id: string;
    subject_id: string;
    account_manager_id: string;
    due_at: Date;
  }>(
    `with due as (
       ${DUE_SQL}
     )
     insert into crh.signal_alerts (kind, customer_id, subject_id, account_manager_id, due_at, at)
     select kind, customer_id, subject_id, account_manager_id, due_at, $3 from due order by due_at, customer_id
     on conflict do nothing
     returning kind, customer_id, subject_id, account_manager_id, due_at`,
    [window.after, window.until, window.at, sla.acknowledge, sla.update, sla.resolve, customers],
  );
  return rows.map((r) => ({
    kind: r.kind,
    customerId: r.customer_id,
    subjectId: r.subject_id,
    accountManagerId: r.account_manager_id,
    dueAt: r.due_at.toISOString(),
    at: window.at.toISOString(),
  }));
}

/**
 * Time passing: announces the deadlines passed since the last call, under
 * the clock lock (batches and day turns wait). The first call only sets the
 * mark: a (re)built book's old deadlines are no news.
 */
export async function announcePassedDeadlines(pool: Pool, sla: ComplaintSla, now: Date, today: string) {
  // \`now\` may be behind the clock (a projector catching up): the mark never moves back.
  const client = await pool.connect();
  try {
    await client.query('begin');
    await lockClock(client, RELATIONSHIPS_PROJECTION, today);
    const after = await alertsUntil(client);
    const alerts =
      after === null ? [] : await announceDeadlines(client, { after, until: now, at: now }, sla, null);
    await client.query('update crh.projection_checkpoints set alerts_until = $2 where projection = $1', [
      RELATIONSHIPS_PROJECTION,
      now,
    ]);
    await client.query('commit');
    return alerts;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The mark set by announcePassedDeadlines; null before its first call. */
export async function alertsUntil(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ alerts_until: Date | null }>(
    'select alerts_until from crh.projection_checkpoints where projection = $1',
    [RELATIONSHIPS_PROJECTION],
  );
  return rows[0]?.alerts_until ?? null;
}
