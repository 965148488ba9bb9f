import { POSTGRES_IMAGE } from './container-images.ts';

const PROBE_TIMEOUT_MS = 3000;

/**
 * Whether a container runtime answers. Bounded, because testcontainers tries
 * several strategies and a half-configured Docker (CLI without daemon, stale
 * DOCKER_HOST) must not stall every test run.
 */
export async function containerRuntimeAvailable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  const probe = getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startContainer(): Promise<{ adminUrl: string; where: string; stop(): Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).start();
  return {
    adminUrl: container.getConnectionUri(),
    where: `${POSTGRES_IMAGE} on ${container.getHost()}:${container.getPort()}`,
    stop: async () => {
      await container.stop();
    },
  };
}
