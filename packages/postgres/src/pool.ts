import pg from 'pg';
import { checkRoleName } from './database-roles.ts';

export interface PgPoolOptions {
  max?: number;
  applicationName?: string;
  /** Opening a connection, or waiting for a free one, fails after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** The server cancels a statement that runs longer (0 or absent: the server's default, usually none). */
  statementTimeoutMs?: number;
  /** The server ends a session idle inside a transaction this long (0 or absent: the server's default). */
  idleInTransactionTimeoutMs?: number;
  /**
   * Errors of the pool's connections outside a query (server restart,
   * failover, network drop); default: ignored. The connection is discarded
   * and the next query opens a fresh one.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * Work as this role (SET ROLE, sent as a startup parameter, so it holds
   * from the first statement): the login role must be a member of it. What
   * the session creates is then owned by this role.
   */
  role?: string;
}

/** The one way services open PostgreSQL connections, so they all behave alike. */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'crh',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // Sent as startup parameters, so they hold for every statement of the
    // session; a statement that needs longer lifts it with `set local`.
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
    // A peer that vanished without closing (failover, network) is noticed by
    // TCP instead of hanging the next query for the kernel's default hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.role ? { options: `-c role=${checkRoleName(options.role)}` } : {}),
  });
  // An idle client whose connection dies emits 'error' on the pool; a client
  // checked out (a session lock's holder, a transaction between statements)
  // emits it on itself. Without a listener either crashes the process
  // (`Unhandled 'error' event`, e.g. 57P01 when the server terminates the
  // session). The pool discards a client that is no longer queryable when it
  // is released, and the query in flight, if any, rejects on its own.
  const onError = (error: Error) => options.onConnectionError?.(error);
  pool.on('error', () => undefined); // reported once, by the client's own listener below
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}
