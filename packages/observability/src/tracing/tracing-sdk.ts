import { DiagLogLevel, diag } from '@opentelemetry/api';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

/** The CommonJS/ESM packages the instrumentations patch: the only modules the loader hook wraps. */
const INSTRUMENTED_MODULES = ['http', 'https', 'express', 'router', 'pg', 'pg-pool', 'kafkajs'];

/** The probes and scrapes every orchestrator sends: traced, they would drown the requests that matter. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts the OpenTelemetry Node SDK: traces over OTLP (exporter, protocol,
 * sampler, resource and batch settings from the standard OTEL_* variables),
 * with the http, express, pg and kafkajs instrumentations (no graphql one:
 * Yoga executes with its own executor, so it would only see validation). Only
 * loaded when tracing is on (see tracing-switch.ts); must run before the
 * service's modules load (the --import preload), so the loader hook sees
 * pg, express and the rest imported.
 */
export function startTracingSdk(serviceName: string): NodeSDK {
  // Traces only: metrics stay with Prometheus (/metrics) and logs with
  // pino's stdout, unless an operator asks the SDK for them explicitly.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SERVICE_NAME ||= serviceName;
  // The SDK's own trouble (a collector that is down) as warnings on stderr, not silence.
  diag.setLogger(
    { error: console.error, warn: console.warn, info: () => {}, debug: () => {}, verbose: () => {} },
    DiagLogLevel.WARN,
  );

  // ESM imports (ours are all ESM, pg and express CommonJS underneath) reach
  // the instrumentations through import-in-the-middle's loader hook, limited
  // to the instrumented packages so our own .ts modules load untouched.
  if (!supportsSyncHooks()) throw new Error('tracing needs Node >= 24.11.1 (module.registerHooks)');
  registerSyncHooks({ include: INSTRUMENTED_MODULES });

  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      }),
      // Routers and the request handler; each middleware as a span is noise.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}
