import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { KAFKA_IMAGE } from './container-images.ts';

/** A Kafka broker the test run can create topics on. */
export interface KafkaBroker {
  /** host:port list for kafkajs `brokers`. */
  brokers: string[];
  /** What was chosen and why, for the one line the run prints. */
  description: string;
  stop(): Promise<void>;
}

interface StartedBroker {
  brokers: string[];
  where: string;
  stop(): Promise<void>;
}

/** The ways to get a broker, in order of preference; injectable for tests. */
export interface KafkaSources {
  containerRuntimeAvailable(): Promise<boolean>;
  startContainer(): Promise<StartedBroker>;
  startLocal(): Promise<StartedBroker>;
}

const CHOICES = ['container', 'local'] as const;

/**
 * Picks ONE broker for the whole run: KAFKA_BROKERS, else a Testcontainers
 * container, else a local broker from Maven Central jars (infra/kafka).
 * `CRH_TEST_KAFKA=container|local` forces a choice (to exercise a path on a
 * machine that would pick another).
 */
export async function pickKafkaBroker(
  env: Readonly<Record<string, string | undefined>> = process.env,
  sources: KafkaSources = defaultKafkaSources(),
): Promise<KafkaBroker> {
  const forced = env.CRH_TEST_KAFKA;
  if (forced !== undefined && forced !== '' && !(CHOICES as readonly string[]).includes(forced)) {
    throw new Error(`CRH_TEST_KAFKA must be one of ${CHOICES.join(', ')}, got "${forced}"`);
  }
  const listed = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (!forced && listed.length > 0) {
    return {
      brokers: listed,
      description: `KAFKA_BROKERS ${listed.join(',')} (KAFKA_BROKERS is set)`,
      stop: async () => {},
    };
  }
  const why: string[] = forced ? [`CRH_TEST_KAFKA=${forced}`] : ['no KAFKA_BROKERS'];

  if (forced === 'container' || (!forced && (await sources.containerRuntimeAvailable()))) {
    const container = await sources.startContainer();
    if (!forced) why.push('container runtime available');
    return { ...container, description: `Testcontainers ${container.where} (${why.join(', ')})` };
  }
  if (!forced) why.push('no container runtime');

  const local = await sources.startLocal();
  return { ...local, description: `local Kafka ${local.where} (${why.join(', ')})` };
}

export function defaultKafkaSources(): KafkaSources {
  return {
    containerRuntimeAvailable: async () =>
      (await import('./container-server.ts')).containerRuntimeAvailable(),
    startContainer: startKafkaContainer,
    startLocal: startLocalBroker,
  };
}

async function startKafkaContainer(): Promise<StartedBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE)
    .withKraft()
    // Same as the local broker: topics exist only when created.
    .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' })
    .start();
  // The module's PLAINTEXT listener (container port 9093) advertises host:mapped port.
  const broker = `${container.getHost()}:${container.getMappedPort(9093)}`;
  // First-use coordinator errors would otherwise be logged by the first test's clients.
  const { warmUpKafka } = await import('@crh/local-kafka');
  await warmUpKafka([broker]);
  return {
    brokers: [broker],
    where: `${KAFKA_IMAGE} on ${broker}`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** A fresh data dir per run under <repo>/.crh/kafka, removed on stop. */
async function startLocalBroker(): Promise<StartedBroker> {
  const { KAFKA_VERSION, REPO_ROOT, startLocalKafka } = await import('@crh/local-kafka');
  const parent = join(REPO_ROOT, '.crh', 'kafka');
  await removeAbandonedDataDirs(parent);
  const dataDir = join(parent, `test-${process.pid}-${Date.now()}`);
  try {
    const kafka = await startLocalKafka({ dataDir });
    return {
      brokers: kafka.brokers,
      where: `${KAFKA_VERSION} on ${kafka.brokers.join(',')} (pid ${kafka.pid}, data in ${relative(REPO_ROOT, dataDir)})`,
      stop: async () => {
        await kafka.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** test-<pid>-<time> dirs whose run died without stopping its broker. */
async function removeAbandonedDataDirs(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^test-(\d+)-\d+$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    await rm(join(parent, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
