import {
  ACTIVE_STATUSES,
  type ComplaintSla,
  NPS_PASSIVE_FROM,
  NPS_PROMOTER_FROM,
  type NpsBucket,
  type SlaKind,
} from '@crh/domain';

// The domain's rules as SQL, built in this one place from the domain's
// constants, for the queries, the alerts and the migrations that need them.
// rule-sql.int.test.ts runs each fragment on PostgreSQL at the boundary
// instants and values and checks it answers as the domain function does.
// Arguments are SQL expressions (columns, placeholders), never user input.

/** `isPastDeadline`: `deadline` is missed at `now` (timestamptz expressions), not yet at the deadline itself. */
export const pastDeadlineSql = (deadline: string, now: string): string => `(${deadline} < ${now})`;

/** `slaDeadline`: `hours` (a number expression) after `from`. */
export const slaDeadlineSql = (from: string, hours: string): string =>
  `${from} + ${hours} * interval '1 hour'`;

/**
 * `isPastDeadline(slaDeadline(from, hours), now)`, spelled as `from` before
 * `now - hours` so that an index on `from` can answer it. Timestamps with a
 * time zone add hours exactly, so the two spellings agree to the microsecond.
 */
export const pastSlaDeadlineSql = (from: string, hours: string, now: string): string =>
  pastDeadlineSql(from, `${now}::timestamptz - ${hours} * interval '1 hour'`);

/**
 * Each service level of a complaint row (crh.rm_complaints): where its
 * deadline runs from, which CRH_COMPLAINT_SLA hours it takes, and the
 * condition under which a missed deadline is still being missed (`running`
 * in `slaBreaches`).
 */
export const SLA_TARGETS_SQL: readonly {
  kind: SlaKind;
  from: string;
  hours: keyof ComplaintSla;
  pending: string;
}[] = [
  {
    kind: 'ACKNOWLEDGE',
    from: 'received_at',
    hours: 'acknowledge',
    pending: 'open and acknowledged_at is null',
  },
  { kind: 'UPDATE', from: 'silent_since', hours: 'update', pending: 'open' },
  { kind: 'RESOLVE', from: 'received_at', hours: 'resolve', pending: 'open' },
];

/**
 * A complaint row misses some service level at `now` and is still missing it
 * (`slaBreaches(...).some(b => b.running)`); `hours` names each level's placeholder.
 */
export const runningSlaBreachSql = (hours: Record<keyof ComplaintSla, string>, now: string): string =>
  SLA_TARGETS_SQL.map((t) => `(${t.pending} and ${pastSlaDeadlineSql(t.from, hours[t.hours], now)})`).join(
    ' or ',
  );

/**
 * The instants at which a promise row is overdue, as a range: past its due
 * time (`isPastDeadline`), until it is kept or cancelled (at that instant
 * it no longer is). Empty when settled by its due time. One expression, so a
 * GiST index on it answers "overdue at T" with `@> T` (its made_at aside).
 */
export const overdueSpanSql = (): string =>
  `(case when least(kept_at, cancelled_at) <= due_at then 'empty'::tstzrange
         else tstzrange(due_at, least(kept_at, cancelled_at), '()') end)`;

/** A promise row's status at `now`: its settlement, else OVERDUE once `now` is past its dueAt, else OPEN. */
export const promiseStatusSql = (now: string): string =>
  `coalesce(settled, case when ${pastDeadlineSql('due_at', now)} then 'OVERDUE' else 'OPEN' end)`;

const integer = (n: number) => {
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
};

/** `npsBucket(score) = bucket` for an integer score expression. */
export function npsBucketSql(bucket: NpsBucket, score: string): string {
  const promoterFrom = integer(NPS_PROMOTER_FROM);
  const passiveFrom = integer(NPS_PASSIVE_FROM);
  switch (bucket) {
    case 'promoter':
      return `${score} >= ${promoterFrom}`;
    case 'passive':
      return `${score} >= ${passiveFrom} and ${score} < ${promoterFrom}`;
    case 'detractor':
      return `${score} < ${passiveFrom}`;
  }
}

/** The domain's `median` as an aggregate: the mean of the two middle values for an even count. */
export const medianSql = (expr: string): string => `percentile_cont(0.5) within group (order by ${expr})`;

const STATUS = /^[A-Z_]+$/;

/** `isActiveStatus(status)` for a status expression: onboarded and not CHURNED. */
export function activeStatusSql(status: string): string {
  const list = ACTIVE_STATUSES.map((s) => {
    if (!STATUS.test(s)) throw new Error(`not a status name: ${s}`);
    return `'${s}'`;
  });
  return `${status} in (${list.join(', ')})`;
}
