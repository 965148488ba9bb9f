// The live projection: batches of the log into read-model rows, the day
// turning, missed deadlines, and the changes the feed announces.
export type { DayTurn } from './day-turn.ts';
export {
  alertChanges,
  batchChanges,
  dayTurnChanges,
  type FeedChange,
  type KeyedChange,
} from './feed-changes.ts';
export type { BatchResult, BatchTimings, ProjectionContext } from './relationship-projection.ts';
export type { SignalAlert } from './signal-alerts.ts';
export type { StatusChange } from './status-changes.ts';
