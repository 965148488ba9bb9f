export { type Backoff, createBackoff } from './backoff.ts';
export { type Migration, type MigrationPlan, runMigrations } from './migration-runner.ts';
export { createPgPool, type PgPoolOptions } from './pool.ts';
export { LockLostError, leadUntilAborted, sleep, whileHoldingLock } from './session-lock.ts';
