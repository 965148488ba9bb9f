import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTestAuth, type TestAuth } from '@crh/auth/testing';
import { serviceNodeArgs } from '@crh/observability';
import getPort from 'get-port';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServiceProcess {
  name: string;
  /** What it was started with on top of the test run's environment: start it again with these. */
  env: Record<string, string>;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Runs a service's main.ts as its own process (with the tracing preload), as production does. */
export function startService(name: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, serviceNodeArgs(join(root, 'services', name, 'src', 'main.ts')), {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    name,
    env,
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        // Already gone (exited, or killed by a signal: then its code is null).
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** SIGKILL, as a crash or the OOM killer would; resolves with the signal once the process is gone. */
export function kill9(service: ServiceProcess): Promise<NodeJS.Signals | null> {
  const { child } = service;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (_code, signal) => resolve(signal));
    child.kill('SIGKILL');
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface Platform {
  databaseUrl: string;
  /** The services' CRH_DATA_DIR (their local auth key and master key): a cli run beside them needs the same. */
  dataDir: string;
  ingest: string;
  /** The projector's ops endpoints (/healthz, /readyz, /metrics). */
  projector: string;
  /** Each gateway's /graphql URL (one unless asked for more). */
  graphql: string[];
  services: ServiceProcess[];
  /** Mints tokens the platform's services accept (their local key, in a temporary CRH_DATA_DIR). */
  auth: TestAuth;
  /** SIGTERM to every service; their exit codes, in start order. */
  stop(): Promise<(number | null)[]>;
}

/**
 * Ingest, projector and `gateways` gateway processes on free ports over one
 * database, ready when ingest and every gateway answer. Ingest starts first:
 * it creates the event log schema the others read.
 */
export async function startPlatform(
  databaseUrl: string,
  options: { env?: Record<string, string>; gateways?: number } = {},
): Promise<Platform> {
  const auth = await openTestAuth();
  const env = {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    CRH_DATA_DIR: dirname(auth.settings.localKeyDir),
    ...options.env,
  };
  const [ingestPort, projectorPort] = [await getPort(), await getPort()];
  const services = [startService('ingest', { ...env, INGEST_PORT: String(ingestPort) })];
  const ingest = `http://127.0.0.1:${ingestPort}`;
  await waitFor(async () => ((await fetch(`${ingest}/readyz`)).ok ? true : undefined), { what: 'ingest' });
  services.push(startService('projector', { ...env, PROJECTOR_PORT: String(projectorPort) }));
  const graphql: string[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    const port = await getPort();
    services.push(startService('gateway', { ...env, GATEWAY_PORT: String(port) }));
    graphql.push(`http://127.0.0.1:${port}/graphql`);
  }
  for (const [i, url] of graphql.entries()) {
    await waitFor(async () => ((await fetch(url.replace(/\/graphql$/, '/readyz'))).ok ? true : undefined), {
      what: `gateway ${url}`,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${services[2 + i]!.output().slice(-2000)}`);
    });
  }
  return {
    databaseUrl,
    dataDir: env.CRH_DATA_DIR,
    ingest,
    projector: `http://127.0.0.1:${projectorPort}`,
    graphql,
    services,
    auth,
    stop: () => Promise.all(services.map((s) => s.stop())),
  };
}

export interface CliRun {
  output: () => string;
  exited: Promise<number | null>;
  /** Waits for the whole start banner (`platform is up` … `Ctrl-C stops everything.`); the error carries everything printed. */
  up(timeoutMs?: number): Promise<void>;
  /** Ctrl-C. */
  interrupt(): void;
}

/** Runs `crh <args>` (what `npm start` runs) as its own process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): CliRun {
  const cli = spawn(process.execPath, [join(root, 'services/cli/src/main.ts'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  cli.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    output: () => output,
    exited: new Promise((done) => cli.once('exit', (code) => done(code))),
    up: (timeoutMs = 90_000) =>
      waitFor(async () => (output.includes('Ctrl-C stops everything.') ? true : undefined), {
        timeoutMs,
        what: 'platform start',
      }).then(
        () => undefined,
        (error: Error) => {
          throw new Error(`${error.message}\n--- crh output ---\n${output}`);
        },
      ),
    interrupt: () => cli.kill('SIGINT'),
  };
}

/** The token `crh start` printed on the line with `label` (`admin token:`, `am-3 token:`). */
export function printedToken(output: string, label: string): string {
  const token = new RegExp(`${label}\\s+([\\w-]+\\.[\\w-]+\\.[\\w-]+)`).exec(output)?.[1];
  if (!token) throw new Error(`crh start printed no "${label}"\n--- crh output ---\n${output}`);
  return token;
}

/** POST /v1/events to an ingest base URL with a token (`Bearer ...`); the response as ingest gave it. */
export function postEvents(
  ingest: string,
  authorization: string,
  events: readonly unknown[],
): Promise<Response> {
  return fetch(`${ingest}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ events }),
  });
}
