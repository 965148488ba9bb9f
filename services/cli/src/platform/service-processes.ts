import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { serviceNodeArgs } from '@crh/observability';
import type { ServiceName } from '@crh/service-runtime';
import getPort from 'get-port';
import { repoRoot } from './data-dir.ts';
import { type LocalAuth, temporaryLocalAuth } from './local-auth.ts';

/** What `crh start` runs; the relay joins them where Kafka runs (`--kafka`, the full stack). */
export const SERVICES: readonly ServiceName[] = ['ingest', 'projector', 'gateway'];

/** Runs each service's main.ts as its own process (with the tracing preload), as production does. */
export function spawnServices(
  names: readonly ServiceName[],
  env: NodeJS.ProcessEnv,
  stdio: 'inherit' | 'ignore' = 'inherit',
): ChildProcess[] {
  return names.map((service) =>
    spawn(process.execPath, serviceNodeArgs(join(repoRoot, 'services', service, 'src', 'main.ts')), {
      env,
      stdio,
    }),
  );
}

/** SIGTERM to each (graceful shutdown), resolved when all have exited. */
export async function stopServices(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Ingest, projector and gateway as processes on free ports over `url`'s
 * database (plus `env`), for as long as `work` runs. Access control is on,
 * with a local key of their own: `authorization` is an admin's token.
 * `projectors` projector processes run side by side, each with an
 * operations port of its own (how they share the work is theirs to agree).
 */
export async function withServices<T>(
  url: string,
  env: NodeJS.ProcessEnv,
  work: (urls: {
    ingest: string;
    graphql: string;
    authorization: string;
    /** Mints more tokens the services accept (clients of other roles and subs). */
    auth: LocalAuth;
    /** The gateway process, for its CPU time. */
    gatewayPid: number | undefined;
    /** Every service's process id, for its memory and CPU (the first projector's). */
    pids: Partial<Record<ServiceName, number>>;
    /** The (first) projector's operations server (/readyz, /metrics). */
    projector: string;
    /** Every projector process: its operations server and process id. */
    projectors: { ops: string; pid: number | undefined }[];
  }) => Promise<T>,
  options: {
    /** More variables for one service only (the soak's shifted clock for the projector). */
    envOf?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
    /** Projector processes (default 1). */
    projectors?: number;
  } = {},
): Promise<T> {
  const envOf = options.envOf ?? {};
  // get-port keeps the ports it handed out reserved for a while, so each call gives another port.
  const [ingestPort, gatewayPort] = [await getPort(), await getPort()];
  const projectorPorts: number[] = [];
  for (let i = 0; i < (options.projectors ?? 1); i++) projectorPorts.push(await getPort());
  const auth = await temporaryLocalAuth();
  const shared = {
    ...process.env,
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    INGEST_PORT: String(ingestPort),
    GATEWAY_PORT: String(gatewayPort),
    PROJECTOR_PORT: String(projectorPorts[0]),
    LOG_LEVEL: 'warn',
    ...env,
    ...auth.env,
  };
  const spawnOne = (name: ServiceName, extra: NodeJS.ProcessEnv = {}) =>
    spawnServices([name], { ...shared, ...extra, ...envOf[name] })[0]!;
  const ingestProcess = spawnOne('ingest');
  const projectorProcesses = projectorPorts.map((port) =>
    spawnOne('projector', { PROJECTOR_PORT: String(port) }),
  );
  const gatewayProcess = spawnOne('gateway');
  const children = [ingestProcess, ...projectorProcesses, gatewayProcess];
  try {
    const ingest = `http://127.0.0.1:${ingestPort}`;
    const graphql = `http://127.0.0.1:${gatewayPort}/graphql`;
    const projectors = projectorPorts.map((port, i) => ({
      ops: `http://127.0.0.1:${port}`,
      pid: projectorProcesses[i]?.pid,
    }));
    await Promise.all([
      waitForHttp(`${ingest}/readyz`),
      waitForHttp(`http://127.0.0.1:${gatewayPort}/readyz`),
      ...projectors.map((p) => waitForHttp(`${p.ops}/readyz`)),
    ]);
    return await work({
      ingest,
      graphql,
      authorization: await auth.bearer(['admin'], { ttl: '24h' }),
      auth,
      gatewayPid: gatewayProcess.pid,
      pids: { ingest: ingestProcess.pid, projector: projectors[0]?.pid, gateway: gatewayProcess.pid },
      projector: projectors[0]!.ops,
      projectors,
    });
  } finally {
    await stopServices(children);
    await auth.remove();
  }
}
