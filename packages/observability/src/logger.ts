import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON logs to stdout; `service` is on every line so merged logs stay readable. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
