export { type Backoff, createBackoff } from './backoff.ts';
export {
  canChangeSchema,
  checkRoleName,
  ensureLoginRole,
  existingRoles,
  joinRole,
  quoteIdent,
} from './database-roles.ts';
export {
  type Migration,
  type MigrationPlan,
  pendingMigrations,
  type Queryable,
  runMigrations,
} from './migration-runner.ts';
export { createPgPool, type PgPoolOptions } from './pool.ts';
export { LockLostError, leadUntilAborted, sleep, whileHoldingLock } from './session-lock.ts';
