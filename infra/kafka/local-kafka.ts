/**
 * A real Apache Kafka broker without Docker: the broker's jars from Maven
 * Central (infra/kafka/pom.xml), one JVM running a single KRaft node that is
 * both broker and controller, on 127.0.0.1.
 *
 * Needs `java` (17+, or $JAVA_HOME/bin/java) and, the first time, `mvn`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignoreKafkajsTimeoutWarning } from '@crh/messaging/kafka';
import getPort from 'get-port';
import { Kafka, logLevel } from 'kafkajs';

/** Keep in step with kafka.version in infra/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.1';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '../..');
const POM = join(HERE, 'pom.xml');
const LOG4J = join(HERE, 'log4j.properties');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_LINES_KEPT = 60;

export interface LocalKafka {
  brokers: string[];
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

export interface LocalKafkaOptions {
  /** Holds server.properties, cluster-id, kraft/ (the log dir) and logs/. Created if missing. */
  dataDir: string;
  port?: number;
  controllerPort?: number;
  /** Where the jars are (downloaded there if missing); default <repo>/.crh/kafka/lib-<version>. */
  libDir?: string;
  /** Every line the broker prints (WARN and up, plus "Kafka Server started"). */
  log?: (line: string) => void;
  /**
   * Let the broker outlive this process (for infra/kafka/kafka.ts): its own
   * process group, output to <dataDir>/logs/console.log, no exit hook.
   */
  detached?: boolean;
}

export function defaultLibDir(): string {
  return join(REPO_ROOT, '.crh', 'kafka', `lib-${KAFKA_VERSION}`);
}

export async function startLocalKafka(options: LocalKafkaOptions): Promise<LocalKafka> {
  const dataDir = resolve(options.dataDir);
  const libDir = resolve(options.libDir ?? defaultLibDir());
  await ensureJars(libDir);
  await mkdir(join(dataDir, 'logs'), { recursive: true });

  // Free ports are found by binding to port 0 and closing: another process can
  // grab one in between. A bind failure on a port we chose is retried.
  const given = [options.port, options.controllerPort];
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await getPort({ host: '127.0.0.1' }));
    const controllerPort = options.controllerPort ?? (await getPort({ host: '127.0.0.1', exclude: [port] }));
    await writeServerProperties(dataDir, port, controllerPort);
    await formatOnce(dataDir, libDir);
    try {
      return await launch({ ...options, dataDir, libDir, port });
    } catch (error) {
      if (!(error instanceof PortInUseError) || given.includes(error.port) || attempt >= 3) throw error;
    }
  }
}

/** SIGTERM, wait up to 15 s, then SIGKILL. Resolves once the process is gone. */
export async function stopPid(pid: number, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  if (await waitForExit(pid, timeoutMs)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
}

/**
 * Whether `pid` is a running broker started on `dataDir` (guards against a
 * stale pid reused by another process). Without /proc, trusts that it lives.
 */
export function isBrokerProcess(pid: number, dataDir: string): boolean {
  if (!signal(pid, 0)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(join(resolve(dataDir), 'server.properties'));
  } catch {
    return process.platform !== 'linux';
  }
}

// --- jars --------------------------------------------------------------------

async function ensureJars(libDir: string): Promise<void> {
  if (await hasJars(libDir)) return;
  await mkdir(dirname(libDir), { recursive: true });
  // Download into a temp dir and rename: an interrupted download is never used.
  const temp = `${libDir}.tmp-${process.pid}-${Date.now()}`;
  console.error(`[local-kafka] downloading Kafka ${KAFKA_VERSION} jars from Maven Central into ${libDir}`);
  try {
    await run('mvn', [
      '-q',
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${temp}`,
      '-DincludeScope=runtime',
    ]).catch((error: NodeJS.ErrnoException & { output?: string }) => {
      if (error.code === 'ENOENT') throw new Error('Maven (mvn) is needed once, to download the Kafka jars');
      throw new Error(`mvn could not download the Kafka jars:\n${error.output ?? String(error)}`);
    });
    if (!(await hasJars(temp))) throw new Error(`mvn put no jars in ${temp}`);
    try {
      await rename(temp, libDir);
    } catch (error) {
      // Another process finished the same download first: use theirs.
      if (!(await hasJars(libDir))) throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function hasJars(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.endsWith('.jar'));
  } catch {
    return false;
  }
}

// --- configuration -------------------------------------------------------------

async function writeServerProperties(dataDir: string, port: number, controllerPort: number): Promise<void> {
  const properties = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dataDir, 'kraft'),
    // One node: internal topics cannot have more than one replica.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    'num.partitions': '1',
    // Topics exist only when created (admin.createTopics with waitForLeaders):
    // a typo'd topic name fails instead of silently creating a new topic.
    'auto.create.topics.enable': 'false',
  };
  const text = Object.entries(properties)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  await writeFile(join(dataDir, 'server.properties'), `# written by infra/kafka/local-kafka.ts\n${text}\n`);
}

/** `StorageTool format` once per data dir, with a random cluster id kept in <dataDir>/cluster-id. */
async function formatOnce(dataDir: string, libDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'kraft', 'meta.properties'))) return;
  const idFile = join(dataDir, 'cluster-id');
  let clusterId = existsSync(idFile) ? (await readFile(idFile, 'utf8')).trim() : '';
  if (!clusterId) {
    clusterId = randomClusterId();
    await writeFile(idFile, `${clusterId}\n`);
  }
  const config = join(dataDir, 'server.properties');
  await run(javaBin(), [
    // A one-shot tool: C1 only and the serial GC start ~0.7 s faster.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    ...jvmLogging(dataDir),
    '-cp',
    join(libDir, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--ignore-formatted',
  ]).catch((error: NodeJS.ErrnoException & { output?: string }) => {
    if (error.code === 'ENOENT') throw new Error(`Java 17+ is needed to run Kafka (tried ${javaBin()})`);
    throw new Error(`kafka StorageTool format failed:\n${error.output ?? String(error)}`);
  });
}

/** Like Kafka's Uuid.randomUuid().toString(): 16 random bytes, base64url, not starting with "-". */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaBin(): string {
  const javaHome = process.env.JAVA_HOME;
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

function jvmLogging(dataDir: string): string[] {
  return [`-Dlog4j.configuration=file:${LOG4J}`, `-Dkafka.logs.dir=${join(dataDir, 'logs')}`];
}

// --- the broker process ----------------------------------------------------------

class PortInUseError extends Error {
  readonly port: number | undefined;
  constructor(message: string, port: number | undefined) {
    super(message);
    this.port = port;
  }
}

async function launch(options: LocalKafkaOptions & { dataDir: string; libDir: string; port: number }) {
  const { dataDir, libDir, port } = options;
  const brokers = [`127.0.0.1:${port}`];
  const args = [
    '-Xms128m',
    '-Xmx512m',
    '-Djava.awt.headless=true',
    ...jvmLogging(dataDir),
    '-cp',
    join(libDir, '*'),
    'kafka.Kafka',
    join(dataDir, 'server.properties'),
  ];

  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > LOG_LINES_KEPT) lines.shift();
    options.log?.(line);
  };
  const consoleLog = join(dataDir, 'logs', 'console.log');
  let child: ChildProcess;
  if (options.detached) {
    const out = openSync(consoleLog, 'a');
    child = spawn(javaBin(), args, { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
  } else {
    child = spawn(javaBin(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) keep(line);
      });
    }
  }
  const exited = new Promise<string>((resolveExit) => {
    child.once('error', (error) => resolveExit(String(error)));
    child.once('exit', (code, sig) => resolveExit(sig ? `signal ${sig}` : `code ${code}`));
  });
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });
  await Promise.race([exited, new Promise((r) => child.once('spawn', r))]);
  const pid = child.pid;
  if (pid === undefined || exitReason !== undefined) {
    throw new Error(`could not start ${javaBin()} (Java 17+ is needed to run Kafka): ${exitReason}`);
  }

  // Owned broker: do not outlive this process. 'exit' covers normal ends and
  // uncaught errors; the watchdog covers SIGKILL of this process.
  const onExit = () => signal(pid, 'SIGTERM');
  if (!options.detached) {
    process.on('exit', onExit);
    startWatchdog(pid);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      if (exitReason !== undefined) return;
      signal(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(r, STOP_TIMEOUT_MS, 'timeout');
      });
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        signal(pid, 'SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  const recentLines = async () =>
    (options.detached ? await tailOf(consoleLog, 200) : lines)
      // Stack frames crowd out the message that says what went wrong.
      .filter((line) => !/^\s+(at |\.\.\. \d+ more)/.test(line))
      .slice(-30);
  const started = Date.now();
  for (;;) {
    if (await brokerAnswers(brokers)) {
      await warmUpKafka(brokers);
      return { brokers, dataDir, pid, stop };
    }
    // A broker that cannot bind takes ~15 s to shut itself down: do not wait for it.
    const bindFailure = (await recentLines()).find((line) =>
      /failed to bind to .*Address already in use/.test(line),
    );
    const bindFailed = bindFailure !== undefined;
    if (bindFailed) signal(pid, 'SIGKILL');
    if (bindFailed || exitReason !== undefined || Date.now() - started > READY_TIMEOUT_MS) {
      const reason = bindFailed
        ? 'could not bind its ports'
        : exitReason
          ? `exited (${exitReason})`
          : `did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      await stop();
      const tail = await recentLines();
      const message = `local Kafka ${KAFKA_VERSION} on ${brokers[0]} ${reason}; last log lines:\n${tail.join('\n')}`;
      if (!bindFailed) throw new Error(message);
      const port = /failed to bind to [^\s]*:(\d+)/.exec(bindFailure)?.[1];
      throw new PortInUseError(message, port === undefined ? undefined : Number(port));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ready = the broker answers a kafkajs admin `describeCluster()` with itself in it. */
async function brokerAnswers(brokers: string[]): Promise<boolean> {
  ignoreKafkajsTimeoutWarning();
  const kafka = new Kafka({
    clientId: 'local-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A fresh broker answers its first InitProducerId with COORDINATOR_LOAD_IN_PROGRESS
 * (KRaft fetches a producer-id block from the controller) and its first
 * FindCoordinator with COORDINATOR_NOT_AVAILABLE (it creates __consumer_offsets
 * then). kafkajs retries both but logs them at ERROR: get them over with here,
 * quietly. Best effort: a failure surfaces again, loudly, in the first real client.
 */
export async function warmUpKafka(brokers: string[]): Promise<void> {
  ignoreKafkajsTimeoutWarning();
  const kafka = new Kafka({ clientId: 'local-kafka-warm-up', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await Promise.all([
      admin.connect().then(() => admin.describeGroups(['local-kafka-warm-up'])),
      producer.connect(), // an idempotent producer sends InitProducerId on connect
    ]);
  } catch {
    // see above
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]).catch(() => undefined);
  }
}

/** A tiny shell loop that SIGTERMs the broker once this process is gone. */
function startWatchdog(brokerPid: number): void {
  if (process.platform === 'win32') return;
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${brokerPid} 2>/dev/null; do sleep 1; done; kill ${brokerPid} 2>/dev/null`;
  try {
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    // Best effort: the 'exit' hook still covers ordinary ends.
  }
}

// --- helpers ---------------------------------------------------------------------

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!signal(pid, 0)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !signal(pid, 0);
}

async function tailOf(file: string, count = 30): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-count);
  } catch {
    return [];
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { output: `${stdout}${stderr}`.trim() }));
      else resolveRun();
    });
  });
}
