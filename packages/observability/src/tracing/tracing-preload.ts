/**
 * The `--import` entry every service process starts with
 * (`node --import @crh/observability/tracing-preload services/<name>/src/main.ts`):
 * when tracing is on it starts the OpenTelemetry SDK before the service's
 * modules load; when it is off it loads nothing more than this file.
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
