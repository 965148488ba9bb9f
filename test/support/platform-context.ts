import { createTestDatabase } from '@crh/testing';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Platform, startPlatform } from './service-process.ts';

export interface PlatformContext {
  platform: Platform;
  /** A pool of the test's own on the platform's database, to look inside it. */
  db: pg.Pool;
  url: string;
}

/**
 * Ingest, projector and a gateway as processes over a fresh database, for
 * the describe block it is called in; at its end every service must stop
 * cleanly (exit code 0). Read the fields inside tests and hooks.
 */
export function usePlatform(): PlatformContext {
  const context = {} as PlatformContext;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    context.url = database.url;
    context.db = new pg.Pool({ connectionString: database.url, max: 3 });
    context.platform = await startPlatform(database.url);
  });
  afterAll(async () => {
    const codes = await context.platform?.stop();
    await context.db?.end();
    await drop?.();
    expect(codes).toEqual([0, 0, 0]);
  });
  return context;
}
