import type { AddressInfo } from 'node:net';
import type { EventStore } from '@crh/event-store';
import { createLogger, createMetricsRegistry } from '@crh/observability';
import { createApp } from '../src/app.ts';

export interface IngestServer {
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

/** The ingest app over the test's store, on a free loopback port: quiet, always ready. */
export async function listenIngest(
  store: EventStore,
  options: { bodyLimit?: string } = {},
): Promise<IngestServer> {
  const app = createApp({
    store,
    logger: createLogger('ingest-test', 'silent'),
    registry: createMetricsRegistry('ingest-test'),
    ...options,
    ready: async () => true,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
