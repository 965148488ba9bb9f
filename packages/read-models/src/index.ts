export { readCheckpoint, writeCheckpoint } from './checkpoints.ts';
export { type CopyValue, copyInto } from './copy-rows.ts';
export { type HistoryLoader, historyFromStore, toPositionedEvents } from './customer-history.ts';
export { type DailyKpis, dailyKpis } from './daily-kpi-queries.ts';
export type { DayTurn } from './day-turn.ts';
export {
  alertChanges,
  batchChanges,
  dayTurnChanges,
  type FeedChange,
  INLINE_EVENT_LIMIT,
  type KeyedChange,
} from './feed-changes.ts';
export type { Queryable } from './interval-rows.ts';
export { migrateReadModels } from './migrate.ts';
export { readModelMigrations } from './migrations.ts';
export { type MeasuredSubject, measure, OUTLIER_METRICS, type OutlierMetric } from './outlier-queries.ts';
export {
  createProjector,
  type Projector,
  type ProjectorDeps,
  type RunnerLogger,
} from './projection-runner.ts';
export {
  READ_MODEL_TABLES,
  readModelFingerprint,
  readModelsBuiltWithOtherRules,
  requestRebuild,
} from './read-model-fingerprint.ts';
export { type BuildResult, buildRelationships } from './relationship-build.ts';
export {
  applyPreparedBatch,
  applyRelationshipBatch,
  type BatchOptions,
  type BatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
  RELATIONSHIPS_PROJECTION,
} from './relationship-projection.ts';
export {
  countRelationships,
  intervalsOf,
  type PageCursor,
  type PageOptions,
  type RelationshipFilter,
  relationshipOn,
  relationshipsPage,
} from './relationship-queries.ts';
export type { SignalAlert } from './signal-alerts.ts';
export {
  type ComplaintCursor,
  type ComplaintFilter,
  type ComplaintRowOut,
  complaintsPage,
  type FanRow,
  fansOn,
  type NpsGrouping,
  type NpsGroupRow,
  npsByGroup,
  type PromiseCursor,
  type PromiseFilter,
  type PromiseRowOut,
  promisesPage,
} from './signal-queries.ts';
export type { StatusChange } from './status-changes.ts';
