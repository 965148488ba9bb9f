/**
 * The `--import` entry every service process starts with
 * (`node --import ./packages/observability/src/tracing/tracing-preload.ts services/<name>/src/main.ts`,
 * or TRACING_PRELOAD_URL from a spawner):
 * when tracing is on it starts the OpenTelemetry SDK before the service's
 * modules load; when it is off it loads no OpenTelemetry module (only the
 * .env reader, which the service loads anyway).
 */
import { loadDotEnv } from '@crh/config';
import { tracingStarted } from './tracing-state.ts';
import { serviceNameFor, tracingRequested } from './tracing-switch.ts';

try {
  // The endpoint may come from .env, like every other setting.
  loadDotEnv();
} catch {
  // A bad CRH_ENV_FILE: the service's own start-up says so, clearly.
}

if (tracingRequested()) {
  const { startTracingSdk } = await import('./tracing-sdk.ts');
  const sdk = startTracingSdk(serviceNameFor(process.argv[1]));
  tracingStarted(() => sdk.shutdown());
}
