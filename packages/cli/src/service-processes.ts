import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './data-dir.ts';

export const SERVICES = ['ingest', 'projector', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Runs each service's main.ts as its own process, as production does. */
export function spawnServices(
  names: readonly ServiceName[],
  env: NodeJS.ProcessEnv,
  stdio: 'inherit' | 'ignore' = 'inherit',
): ChildProcess[] {
  return names.map((service) =>
    spawn(process.execPath, [join(repoRoot, 'services', service, 'src', 'main.ts')], { env, stdio }),
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
