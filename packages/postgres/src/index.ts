export { type Migration, type MigrationPlan, runMigrations } from './migration-runner.ts';
export { createPgPool, type PgPoolOptions } from './pool.ts';
export { sleep, whileHoldingLock } from './session-lock.ts';
