import pg from 'pg';

export interface PgPoolOptions {
  max?: number;
  applicationName?: string;
  /** Errors of idle connections (server restart, network drop); default: ignored. */
  onIdleError?: (error: Error) => void;
}

/** The one way services open PostgreSQL connections, so they all behave alike. */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'crh',
  });
  // An idle client whose connection dies emits 'error' on the pool; without a
  // listener Node would crash the process. The pool drops that client and the
  // next query opens a fresh connection, so there is nothing else to do.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
