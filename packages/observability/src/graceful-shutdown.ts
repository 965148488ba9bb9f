import type { Logger } from 'pino';
import { flushTracing } from './tracing/tracing-state.ts';

/**
 * Runs `stop` once on SIGINT/SIGTERM and exits; a timer forces the exit when
 * draining hangs, so an orchestrator never waits on a stuck process.
 */
export function onShutdown(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; forcing exit');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    // The spans of the drain itself go out too: the SDK flushes after it.
    const stopped = stop().finally(() =>
      flushTracing().catch((error: unknown) =>
        logger.warn({ err: error }, 'could not export the last spans'),
      ),
    );
    stopped.then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
