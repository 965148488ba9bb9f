/**
 * rm_kpi_levels holds level changes per scope and day: a level on day D is
 * the sum of its scope's changes up to D, a few hundred rows per scope after
 * a year or two, and every scope at once (the managers side by side, their
 * outliers) is every row there is. rm_kpi_level_months holds each scope's
 * changes summed per calendar month, so a level on D is the months before
 * D's plus the days of D's month up to D: at most a row a month and 31.
 *
 * Triggers on rm_kpi_levels keep the months in step with every write there
 * (migration 008); a rebuild, which fills its shadow tables without
 * triggers, sums them once from its levels (signal-build.ts).
 */

/** Every column of rm_kpi_levels that holds a level change. */
export const LEVEL_COLUMNS = ['active', 'going_quiet', 'neglected', 'open_complaints', 'retained'] as const;

/** The first day of the month of a date expression. */
export const monthOfSql = (day: string) => `date_trunc('month', (${day})::timestamp)::date`;

/**
 * Inserts level changes summed per month: `changes` is a query of (scope,
 * day, ...LEVEL_COLUMNS) rows, each a change (negated to take one away).
 * Into a table without its key yet (a rebuild's shadow) each (scope, month)
 * must come once.
 */
export function levelMonthsSql(months: string, changes: string): string {
  return `insert into ${months} as m (scope, month, ${LEVEL_COLUMNS.join(', ')})
    select scope, ${monthOfSql('day')}, ${LEVEL_COLUMNS.map((c) => `sum(${c})`).join(', ')}
    from (${changes}) c group by 1, 2`;
}

/** Adds level changes to the months they fall in (see levelMonthsSql), into crh's table. */
export const addToLevelMonthsSql = (changes: string): string =>
  `${levelMonthsSql('crh.rm_kpi_level_months', changes)}
    on conflict (scope, month) do update set ${LEVEL_COLUMNS.map((c) => `${c} = m.${c} + excluded.${c}`).join(', ')}`;
