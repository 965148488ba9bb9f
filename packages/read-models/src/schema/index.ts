// The read-model tables and what every layer shares about them: migrations,
// checkpoints, the rule fingerprint, row writers and COPY.

export { RELATIONSHIPS_PROJECTION, readCheckpoint } from './checkpoints.ts';
export { type CopyValue, copyInto } from './copy-rows.ts';
export type { Queryable } from './interval-rows.ts';
export {
  migrateReadModels,
  pendingReadModelMigrations,
  READ_MODEL_MIGRATION_PLAN,
  READ_MODEL_MIGRATIONS_TABLE,
} from './migrate.ts';
export {
  READ_MODEL_TABLES,
  readModelFingerprint,
  readModelsBuiltWithOtherRules,
  requestRebuild,
} from './read-model-fingerprint.ts';
export { grantReadModels, KEPT_READ_MODEL_TABLES, type ReadModelGrants } from './read-model-grants.ts';
