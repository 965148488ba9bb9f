import type { EventStore } from '@crh/event-store';
import type { Pool } from 'pg';
import { RELATIONSHIPS_PROJECTION, readCheckpoint } from '../schema/checkpoints.ts';

/** How far the read models are behind the log (what readiness and the lag gauges report). */
export interface ProjectionLag {
  /** The log's last readable position, and the last one applied (null: none). */
  head: string | null;
  checkpoint: string | null;
  /** Events recorded but not yet applied. */
  events: number;
  /** How long the oldest event not yet applied has waited, in seconds (0 when caught up). */
  seconds: number;
  /** Events parked: unreadable ones, poison events and the events held behind them. */
  parked: number;
  /** Customers stopped by a poison event (crh parked list | retry | skip). */
  blockedCustomers: number;
}

/**
 * Measures the lag from the database: head, checkpoint, and the first event
 * after the checkpoint. Counting the events behind costs a range scan of
 * the backlog only, nothing when caught up. Throws when the database cannot
 * be reached (the caller reports not ready).
 */
export async function measureProjectionLag(
  store: EventStore,
  pool: Pool,
  now: () => Date = () => new Date(),
): Promise<ProjectionLag> {
  const [head, checkpoint, { parked, blockedCustomers }] = await Promise.all([
    store.headPosition(),
    readCheckpoint(pool, RELATIONSHIPS_PROJECTION),
    pool
      .query<{ n: string; blocked: string }>(
        `select count(*) as n, count(*) filter (where state = 'failed') as blocked
           from crh.parked_events where projection = $1`,
        [RELATIONSHIPS_PROJECTION],
      )
      .then(({ rows }) => ({
        parked: Number(rows[0]?.n ?? 0),
        blockedCustomers: Number(rows[0]?.blocked ?? 0),
      })),
  ]);
  if (head === null || (checkpoint !== null && checkpoint >= head)) {
    return { head, checkpoint, events: 0, seconds: 0, parked, blockedCustomers };
  }
  const [events, [oldest]] = await Promise.all([
    store.countEvents({ after: checkpoint, upTo: head }),
    store.readAll({ after: checkpoint, limit: 1 }),
  ]);
  const waited = oldest ? (now().getTime() - new Date(oldest.recordedAt).getTime()) / 1000 : 0;
  return { head, checkpoint, events, seconds: Math.max(0, waited), parked, blockedCustomers };
}
