import { runMigrations } from '@crh/postgres';
import type { Pool } from 'pg';
import { readModelMigrations } from './migrations.ts';

export function migrateReadModels(pool: Pool): Promise<void> {
  return runMigrations(pool, { table: 'crh.read_model_migrations', migrations: readModelMigrations });
}
