import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): state is [0], ppid [1]. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // no /proc, or the process has gone
  }
}

/**
 * A process's CPU time (user + system), from /proc: on a busy machine
 * latencies swing with the other work, the CPU a process spends much less.
 * Null where there is no /proc.
 */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const fields = statFields(pid);
  // utime and stime.
  return fields === null ? null : (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** The PostgreSQL server's postmaster, found as the parent of one of the pool's backends; null off this machine. */
export async function postmasterPid(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
  const fields = statFields(rows[0]!.pid);
  return fields === null ? null : Number(fields[1]);
}

/**
 * CPU time of a PostgreSQL server: the postmaster, the children it has
 * reaped (cutime + cstime: backends that came and went) and those alive now
 * (backends, checkpointer, WAL writer, autovacuum). Sampled twice, the
 * difference is the server's CPU in between, whichever backends did the work.
 */
export function postgresCpuSeconds(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  const own = statFields(postmaster);
  if (own === null) return null;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (fields !== null && Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}

/**
 * PostgreSQL's CPU per client program: each backend's CPU from /proc, grouped
 * by the `application_name` its pool set (crh-ingest, crh-projector, ...), so
 * the database's work can be told apart per service. Sampled now and then
 * (`sample`); a backend seen first after `start` counts from 0 (it began
 * then), and one that ends between samples loses its last stretch, so the
 * figures are a lower bound when pools close connections.
 */
export function postgresCpuByClient(pool: Pool) {
  const backends = new Map<number, { client: string; first: number; last: number }>();
  let started = false;
  const sample = async (): Promise<void> => {
    const { rows } = await pool.query<{ pid: number; client: string }>(
      `select pid, coalesce(nullif(application_name, ''), backend_type) as client
       from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    for (const { pid, client } of rows) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === null) continue;
      const known = backends.get(pid);
      if (known) known.last = cpu;
      else backends.set(pid, { client, first: started ? 0 : cpu, last: cpu });
    }
    started = true;
  };
  return {
    sample,
    /** CPU seconds per client since the first sample. */
    seconds(): Record<string, number> {
      const by: Record<string, number> = {};
      for (const { client, first, last } of backends.values()) by[client] = (by[client] ?? 0) + last - first;
      return by;
    },
  };
}
