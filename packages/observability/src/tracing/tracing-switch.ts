/**
 * Whether this process exports traces: only when an OTLP endpoint is
 * configured (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * non-empty) and the standard kill switch OTEL_SDK_DISABLED is not "true".
 * Off by default, so a platform without a collector loads no SDK at all.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/**
 * The service a process runs, from its entry script (services/<name>/src/main.ts),
 * so the default service name needs no extra setting; anything else is "crh".
 */
export function serviceNameFor(entry: string | undefined): string {
  const service = /services[\\/]([a-z-]+)[\\/]src[\\/]main\.ts$/.exec(entry ?? '')?.[1];
  return service ? `crh-${service}` : 'crh';
}
