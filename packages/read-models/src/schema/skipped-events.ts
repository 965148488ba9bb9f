import { RELATIONSHIPS_PROJECTION } from './checkpoints.ts';
import type { Queryable } from './interval-rows.ts';

/**
 * The events an operator skipped (`crh parked skip`): a decision kept apart
 * from the parked events, which a rebuild replaces, so that the live
 * projector's refolds and every rebuild leave them out alike.
 */
export async function skippedEventIds(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ event_id: string }>(
    'select event_id from crh.skipped_events where projection = $1',
    [RELATIONSHIPS_PROJECTION],
  );
  return new Set(rows.map((r) => r.event_id));
}
