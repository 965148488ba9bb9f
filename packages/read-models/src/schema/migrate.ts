import { type MigrationPlan, pendingMigrations, runMigrations } from '@crh/postgres';
import type { Pool } from 'pg';
import { readModelMigrations } from './migrations.ts';

export const READ_MODEL_MIGRATIONS_TABLE = 'crh.read_model_migrations';

export const READ_MODEL_MIGRATION_PLAN: MigrationPlan = {
  table: READ_MODEL_MIGRATIONS_TABLE,
  migrations: readModelMigrations,
};

export function migrateReadModels(pool: Pool): Promise<void> {
  return runMigrations(pool, READ_MODEL_MIGRATION_PLAN);
}

/** The read models' migrations not applied yet (reads only). */
export function pendingReadModelMigrations(pool: Pool): Promise<string[]> {
  return pendingMigrations(pool, READ_MODEL_MIGRATION_PLAN);
}
