export { readCheckpoint, writeCheckpoint } from './checkpoints.ts';
export { type HistoryLoader, historyFromStore, timelineOf, toPositionedEvents } from './customer-history.ts';
export { migrateReadModels } from './migrate.ts';
export { readModelMigrations } from './migrations.ts';
export {
  createProjector,
  type Projector,
  type ProjectorDeps,
  type RunnerLogger,
} from './projection-runner.ts';
export {
  applyPreparedBatch,
  applyRelationshipBatch,
  type BatchResult,
  type PreparedBatch,
  type ProjectionContext,
  prepareRelationshipBatch,
  RELATIONSHIPS_PROJECTION,
} from './relationship-projection.ts';
export { relationshipOnDay } from './relationship-queries.ts';
