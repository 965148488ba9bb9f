/** The tracing preload, resolved here so a spawner's working directory does not matter. */
export const TRACING_PRELOAD_URL = import.meta.resolve('./tracing-preload.ts');

/**
 * Node's arguments for a service's entry script: the tracing preload first
 * (it loads nothing unless tracing is on), then the script. Every spawner
 * (crh start, the tests) and the container image start services this way.
 */
export function serviceNodeArgs(entry: string): string[] {
  return ['--import', TRACING_PRELOAD_URL, entry];
}
