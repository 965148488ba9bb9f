/**
 * What graceful shutdown flushes: the SDK's shutdown when the preload started
 * it. Kept on globalThis, so the preload and the service share it even if
 * they load this module under different URLs.
 */
const KEY = Symbol.for('crh.tracing.shutdown');
type Holder = { [KEY]?: () => Promise<void> };

export function tracingStarted(shutdown: () => Promise<void>): void {
  (globalThis as Holder)[KEY] = shutdown;
}

/** Whether the preload started the SDK in this process. */
export function tracingActive(): boolean {
  return (globalThis as Holder)[KEY] !== undefined;
}

/** Exports the spans still buffered and stops the SDK; a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  const shutdown = (globalThis as Holder)[KEY];
  if (!shutdown) return;
  delete (globalThis as Holder)[KEY];
  await shutdown();
}
