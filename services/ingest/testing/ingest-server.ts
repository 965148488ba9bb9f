import type { AddressInfo } from 'node:net';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { envSchema } from '@crh/config';
import type { EventStore } from '@crh/event-store';
import { createLogger, createMetricsRegistry, type Logger } from '@crh/observability';
import { createApp, type IngestDeps } from '../src/app.ts';

export interface IngestServer {
  /** http://127.0.0.1:<port> */
  base: string;
  /** Mints tokens this ingest accepts (a local key of its own). */
  auth: TestAuth;
  close(): Promise<void>;
}

/** The rate limits as configured by default (the environment's defaults, not the test's environment). */
export const DEFAULT_LIMITS: IngestDeps['limits'] = {
  replay: envSchema.shape.CRH_REPLAY_RATE_LIMIT.parse(undefined),
  append: envSchema.shape.CRH_INGEST_RATE_LIMIT.parse(undefined),
  read: envSchema.shape.CRH_RATE_LIMIT.parse(undefined),
};

/**
 * The ingest app over the test's store, on a free loopback port: quiet,
 * always ready, with access control on (tokens from `.auth`) and the
 * default rate limits unless told otherwise.
 */
export async function listenIngest(
  store: EventStore,
  options: {
    bodyLimit?: string;
    auth?: TestAuth;
    limits?: Partial<IngestDeps['limits']>;
    corsOrigins?: readonly string[];
    logger?: Logger;
    /** Serve the erasure call and the keys: `store` must seal with these keys. */
    personalData?: IngestDeps['personalData'];
  } = {},
): Promise<IngestServer> {
  const auth = options.auth ?? (await openTestAuth());
  const app = createApp({
    store,
    logger: options.logger ?? createLogger('ingest-test', 'silent'),
    registry: createMetricsRegistry('ingest-test'),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.corsOrigins !== undefined ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.personalData !== undefined ? { personalData: options.personalData } : {}),
    auth: auth.verifier,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ready: async () => true,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
