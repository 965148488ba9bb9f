import { createHash } from 'node:crypto';
import { DEFAULT_CADENCE, type RuleContext } from '@crh/domain';
import type { Pool } from 'pg';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from './checkpoints.ts';

/** Every table derived from the log: a rebuild replaces all their rows. */
export const READ_MODEL_TABLES = [
  'crh.rm_relationships',
  'crh.rm_relationship_intervals',
  'crh.rm_customer_signals',
  'crh.rm_kpi_levels',
  'crh.rm_kpi_level_months',
  'crh.rm_kpi_day_counts',
  'crh.rm_complaints',
  'crh.rm_promises',
  'crh.rm_nps_answers',
  'crh.rm_delight_days',
];

/** Bump when the projection's code derives different rows from the same events. */
export const READ_MODEL_VERSION = 5;

/**
 * What the stored rows depend on besides the events: the time zone dates
 * everything, the tier policy places status boundaries, and the cadence
 * window shapes the typical gap. The cadence factor and the health weights
 * are applied at query time and need no rebuild.
 */
export function readModelFingerprint(context: RuleContext): string {
  const basis = {
    version: READ_MODEL_VERSION,
    timeZone: context.timeZone,
    policy: context.policy,
    cadenceGaps: (context.cadence ?? DEFAULT_CADENCE).gaps,
  };
  return createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 16);
}

export interface ReadModelStatus {
  state: 'current' | 'new' | 'rebuilding';
  /** Log position up to which a (re)build announces no status changes; null when it need not keep quiet. */
  quietUntil: string | null;
}

/**
 * Says whether the read models match the configuration. When they were
 * built with another one (a policy change, a new zone, new code) they must
 * be rebuilt from the log ("a change of policy re-derives every view"):
 * `buildRelationships` builds shadow tables and swaps them in, so until the
 * swap the old rows keep serving, and a crash leaves them as they were (with
 * their old fingerprint, so the next start builds again).
 * Only an empty log is settled here: there is nothing to build.
 */
export async function ensureReadModelsMatch(
  pool: Pool,
  context: RuleContext,
  head: string | null,
): Promise<ReadModelStatus> {
  const fingerprint = readModelFingerprint(context);
  const { rows } = await pool.query<{
    fingerprint: string | null;
    position: string | null;
    quiet_until: string | null;
  }>(
    `insert into crh.projection_checkpoints (projection) values ($1)
     on conflict (projection) do update set projection = excluded.projection
     returning fingerprint, position, quiet_until`,
    [RELATIONSHIPS_PROJECTION],
  );
  const row = rows[0]!;
  // What the live projector applied (its partitions' checkpoints).
  const applied = await readCheckpoint(pool, RELATIONSHIPS_PROJECTION);
  if (row.fingerprint === fingerprint) {
    const quiet = row.quiet_until !== null && (applied ?? '') < row.quiet_until;
    return { state: 'current', quietUntil: quiet ? row.quiet_until : null };
  }
  const state = applied === null ? 'new' : 'rebuilding';
  if (head === null) {
    // Nothing logged yet: the read models are empty, whatever built them.
    // The turned day restarts: the zone that dates it may have changed.
    await pool.query(
      `update crh.projection_checkpoints set fingerprint = $2, position = null, quiet_until = null, turned_day = null
       where projection = $1`,
      [RELATIONSHIPS_PROJECTION, fingerprint],
    );
    await pool.query('update crh.projection_partitions set position = null where projection = $1', [
      RELATIONSHIPS_PROJECTION,
    ]);
    return { state, quietUntil: null };
  }
  return { state, quietUntil: head };
}

/**
 * True when the stored read models were built with other rules than these
 * (or are being rebuilt): a gateway configured unlike the projector would
 * mix its days and thresholds with theirs.
 */
export async function readModelsBuiltWithOtherRules(
  db: Pick<Pool, 'query'>,
  context: RuleContext,
): Promise<boolean> {
  const { rows } = await db.query<{ fingerprint: string | null }>(
    'select fingerprint from crh.projection_checkpoints where projection = $1',
    [RELATIONSHIPS_PROJECTION],
  );
  const stored = rows[0]?.fingerprint;
  return stored !== undefined && stored !== null && stored !== readModelFingerprint(context);
}

/**
 * Makes the next projector start rebuild the read models from the log, as a
 * configuration change would (data teams after a rule change; benchmarks).
 */
export async function requestRebuild(db: Pick<Pool, 'query'>): Promise<void> {
  await db.query('update crh.projection_checkpoints set fingerprint = null where projection = $1', [
    RELATIONSHIPS_PROJECTION,
  ]);
}
