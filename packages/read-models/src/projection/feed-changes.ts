import type { RecordedEvent } from '@crh/event-store';
import type { DayTurn } from './day-turn.ts';
import type { BatchResult } from './relationship-projection.ts';
import type { SignalAlert } from './signal-alerts.ts';
import type { StatusChange } from './status-changes.ts';

/**
 * What the projector announces after a commit, as the change feed carries
 * it. Every value is small: an event too big for a feed message travels as
 * a reference the gateway reads from the store.
 */
export type FeedChange =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'eventRef'; customerId: string; position: string; type: string }
  | { kind: 'status'; change: StatusChange }
  /** The daily KPIs of these scopes ('' = organisation, else a manager) changed; 'all' after a day turn. */
  | { kind: 'kpis'; scopes: string[] | 'all' }
  | { kind: 'alert'; alert: SignalAlert };

export interface KeyedChange {
  /** Ordering key: the customer, so one customer's changes keep their order. */
  key: string;
  value: FeedChange;
}

/** Events whose JSON is larger, in UTF-8 bytes, travel by reference (PostgreSQL NOTIFY stops at 8000 bytes). */
export const INLINE_EVENT_LIMIT = 6_000;
/** Scopes per KPI message: manager ids run to 128 characters, so 40 stay well under a notification. */
const SCOPES_PER_MESSAGE = 40;

/** A committed batch's changes: its events, then status changes, alerts and touched KPI scopes. */
export function batchChanges(result: BatchResult): KeyedChange[] {
  if (!result.announced) return [];
  const changes: KeyedChange[] = result.records.map((event) => ({
    key: event.customerId,
    value:
      Buffer.byteLength(JSON.stringify(event)) <= INLINE_EVENT_LIMIT
        ? { kind: 'event', event }
        : { kind: 'eventRef', customerId: event.customerId, position: event.position, type: event.type },
  }));
  for (const change of result.statusChanges)
    changes.push({ key: change.customerId, value: { kind: 'status', change } });
  changes.push(...alertChanges(result.alerts));
  for (let i = 0; i < result.kpiScopes.length; i += SCOPES_PER_MESSAGE) {
    const scopes = result.kpiScopes.slice(i, i + SCOPES_PER_MESSAGE);
    changes.push({ key: '', value: { kind: 'kpis', scopes } });
  }
  return changes;
}

/** A turned day's status changes; every scope's KPIs have a new today. */
export function dayTurnChanges(turn: DayTurn): KeyedChange[] {
  return [
    ...turn.changes.map(
      (change): KeyedChange => ({ key: change.customerId, value: { kind: 'status', change } }),
    ),
    { key: '', value: { kind: 'kpis', scopes: 'all' } },
  ];
}

export function alertChanges(alerts: readonly SignalAlert[]): KeyedChange[] {
  return alerts.map((alert) => ({ key: alert.customerId, value: { kind: 'alert', alert } }));
}
