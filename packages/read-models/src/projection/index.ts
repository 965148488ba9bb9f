// The live projection: batches of the log into read-model rows, the day
// turning, missed deadlines, and the changes the feed announces.
export { type HistoryLoader, historyFromStore, toPositionedEvents } from './customer-history.ts';
export type { DayTurn } from './day-turn.ts';
export {
  alertChanges,
  batchChanges,
  dayTurnChanges,
  type FeedChange,
  INLINE_EVENT_LIMIT,
  type KeyedChange,
} from './feed-changes.ts';
export {
  applyPreparedBatch,
  applyRelationshipBatch,
  type BatchOptions,
  type BatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
} from './relationship-projection.ts';
export type { SignalAlert } from './signal-alerts.ts';
export type { StatusChange } from './status-changes.ts';
