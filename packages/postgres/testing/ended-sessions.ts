import type pg from 'pg';

/** What a PostgreSQL restart or failover does to every session of a service (by its application name). */
export async function terminateSessions(admin: pg.Pool, applicationName: string): Promise<number> {
  const { rowCount } = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
    [applicationName],
  );
  return rowCount ?? 0;
}

/** Polls `probe` every 20 ms; throws naming `what` after 15 s. */
export async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
