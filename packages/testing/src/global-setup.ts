import type { TestProject } from 'vitest/node';
import { pickPostgresServer } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where `createTestDatabase()` creates each test file's database. */
    pgAdminUrl: string;
  }
}

/** vitest globalSetup: one PostgreSQL server for the whole run, handed to the test files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await pickPostgresServer();
  console.log(`[crh tests] PostgreSQL: ${server.description}`);
  project.provide('pgAdminUrl', server.adminUrl);
  return () => server.stop();
}
