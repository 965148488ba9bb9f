import type { TestProject } from 'vitest/node';
import { pickPostgresServer } from './postgres-server.ts';
import type {} from './run-context.ts';

/** vitest globalSetup: one PostgreSQL server for the whole run, handed to the test files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await pickPostgresServer();
  console.log(`[crh tests] PostgreSQL: ${server.description}`);
  project.provide('pgAdminUrl', server.adminUrl);
  return () => server.stop();
}
