import type { ChildProcess } from 'node:child_process';
import type { ServiceName } from '@crh/service-runtime';
import { stopServices } from './service-processes.ts';

export interface SupervisorOptions {
  /** Starts one process of the service. */
  spawn: (name: ServiceName) => ChildProcess;
  log: (line: string) => void;
  /** A service that exits, and cannot be restarted, stops the platform: called once. */
  onGiveUp: (name: ServiceName, code: number | null) => void;
  /** A service that exits sooner than this after its start is not restarted (configuration, port taken); default 10 s. */
  minUptimeMs?: number;
  /** Restarts of one service within `restartWindowMs` before giving up; default 5 in 10 minutes. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Delay before the first restart, doubling per restart in the window up to `maxDelayMs`; default 1 s, 30 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface Supervisor {
  /** SIGTERM to every service; no more restarts. */
  stop(): Promise<void>;
}

/**
 * Keeps `crh start`'s services running. The services survive a lost
 * database themselves; a service that still exits after it had been up a
 * while (a fault they do not survive) is started again after a backoff,
 * instead of taking the platform down. One that exits right after its start
 * (misconfigured, port taken) or keeps exiting would only exit again: that
 * stops the platform, as before.
 */
export function superviseServices(names: readonly ServiceName[], options: SupervisorOptions): Supervisor {
  const minUptime = options.minUptimeMs ?? 10_000;
  const maxRestarts = options.maxRestarts ?? 5;
  const window = options.restartWindowMs ?? 600_000;
  const initialDelay = options.initialDelayMs ?? 1_000;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const current = new Map<ServiceName, ChildProcess>();
  const restarts = new Map<ServiceName, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const start = (name: ServiceName) => {
    const child = options.spawn(name);
    const startedAt = Date.now();
    current.set(name, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const recent = (restarts.get(name) ?? []).filter((at) => Date.now() - at < window);
      if (Date.now() - startedAt < minUptime || recent.length >= maxRestarts) {
        options.log(
          recent.length >= maxRestarts
            ? `${name} exited (${how}) again after ${recent.length} restarts; stopping the platform`
            : `${name} exited (${how}) right after its start; stopping the platform`,
        );
        stopping = true;
        options.onGiveUp(name, code);
        return;
      }
      const delay = Math.min(initialDelay * 2 ** recent.length, maxDelay);
      restarts.set(name, [...recent, Date.now()]);
      options.log(`${name} exited (${how}); starting it again in ${Math.round(delay / 100) / 10} s`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) start(name);
      }, delay);
      timers.add(timer);
    });
  };
  for (const name of names) start(name);

  return {
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stopServices([...current.values()]);
    },
  };
}
